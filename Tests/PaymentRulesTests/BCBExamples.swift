/// Example payloads published by the Banco Central do Brasil in the "Manual de Padrões para
/// Iniciação do Pix", version 2.10.0 (Regulamento do Pix, Anexo II),
/// https://www.bcb.gov.br/content/estabilidadefinanceira/pix/Regulamento_Pix/II_ManualdePadroesparaIniciacaodoPix.pdf
///
/// Each string is copied from the manual's "O respectivo QR Code … está abaixo" line and checked
/// against the field-by-field table and the line-broken listing printed next to it. Line breaks
/// that the PDF layout inserts inside the strings are removed; in §2.6.3 and §2.8.5.2 the PDF
/// text also loses the hyphen of "a456-4266…" at such a break, which the tables (key length 36,
/// template length 58) and the printed CRCs (1D3D, 2875) confirm belongs there.
enum BCBExamples {
    /// §2.6.3 "Exemplo de QR Code estático" (p. 14): random key, no amount, no txid. CRC 1D3D.
    static let staticCode =
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
        + "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

    /// §2.7.2 "Exemplo de QR Code Dinâmico" (p. 27): single-use (01 = 12) location. CRC 64E4.
    static let dynamicCode =
        "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
        + "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"

    /// §2.8.5.1 composite code with recurrence parameters only (p. 33). CRC F2DA.
    static let compositeRecurrenceOnly =
        "00020126180014br.gov.bcb.pix5204000053039865802BR5913Fulano de Tal6008BRASILIA"
        + "62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac120002"
        + "6304F2DA"

    /// §2.8.5.2 composite code with static data (R$ 100,50) and recurrence (p. 35). CRC 2875.
    static let compositeStaticWithRecurrence =
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
        + "5204000053039865406100.505802BR5913Fulano de Tal6008BRASILIA62070503***"
        + "80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac120002"
        + "63042875"

    /// §2.8.5.3 composite code with dynamic data and recurrence (p. 37). CRC FB42.
    static let compositeDynamicWithRecurrence =
        "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
        + "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***"
        + "80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac120002"
        + "6304FB42"

    /// All five, for tests that apply to every published example.
    static let all = [
        staticCode, dynamicCode, compositeRecurrenceOnly, compositeStaticWithRecurrence,
        compositeDynamicWithRecurrence,
    ]
}
