extension PixBRCode {
    /// Parses and validates a BR Code payload ("copia e cola" text).
    ///
    /// Checks: printable ASCII only; well-formed TLV (two-digit IDs and lengths, no
    /// overrun, no duplicate IDs at one level); `00` first with value `01`; `63` last with four
    /// hex digits matching the CRC-16/CCITT-FALSE of everything before it (hex case ignored);
    /// mandatory `52`, `53` = `986`, `58` = `BR`, `59`, `60`; `01` (if any) is `11` or `12`; a
    /// template in 26–51 with GUI `br.gov.bcb.pix` holding a key (`01`) or location (`25`) —
    /// or only the GUI when a Pix recurrence template (80–99) is present; `54` (if any) is a
    /// decimal amount with at most two decimals. Static, dynamic and composite codes are accepted.
    ///
    /// - Throws: ``PixBRCodeError`` describing the first problem found.
    public static func parse(_ payload: String) throws(PixBRCodeError) -> ParsedBRCode {
        guard payload.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            throw .nonASCIIPayload
        }
        let bytes = Array(payload.utf8)
        let list = try TLV.split(bytes[...], offset: 0)
        let top = try index(list, path: "")

        guard let first = top["00"] else { throw .missingField(id: "00") }
        guard list.first?.id == "00" else { throw .misplacedField(id: "00") }
        guard first.value == "01" else { throw .unexpectedValue(id: "00", value: first.value) }
        guard let last = top["63"] else { throw .missingField(id: "63") }
        guard list.last?.id == "63" else { throw .misplacedField(id: "63") }
        let found = last.value.uppercased()
        guard found.count == 4, found.unicodeScalars.allSatisfy(isHexDigit) else {
            throw .unexpectedValue(id: "63", value: last.value)
        }
        let expected = CRC16.hexString(CRC16.checksum(bytes[..<(bytes.count - 4)]))
        guard expected == found else { throw .crcMismatch(expected: expected, found: last.value) }

        let pointOfInitiation = top["01"]?.value
        if let pointOfInitiation, pointOfInitiation != "11", pointOfInitiation != "12" {
            throw .unexpectedValue(id: "01", value: pointOfInitiation)
        }
        let currency = try required("53", in: top)
        guard currency == "986" else { throw .unexpectedValue(id: "53", value: currency) }
        let country = try required("58", in: top)
        guard country == "BR" else { throw .unexpectedValue(id: "58", value: country) }

        var amount: Int64?
        if let text = top["54"]?.value {
            guard let centavos = PixAmount.parse(text) else {
                throw .unexpectedValue(id: "54", value: text)
            }
            amount = centavos
        }

        let recurrence = try pixTemplate(in: list, ids: 80...99)
        guard let merchantAccount = try pixTemplate(in: list, ids: 26...51) else {
            throw .missingField(id: "26-00")
        }
        let account: Account?
        if let key = merchantAccount.fields["01"]?.value {
            account = .key(key, additionalInfo: merchantAccount.fields["02"]?.value)
        } else if let url = merchantAccount.fields["25"]?.value {
            account = .location(url)
        } else if recurrence?.fields["25"] != nil {
            account = nil
        } else {
            throw .missingField(id: "\(merchantAccount.id)-01")
        }

        var referenceLabel: String?
        if let additionalData = top["62"] {
            referenceLabel = try index(additionalData.nested(), path: "62-")["05"]?.value
        }

        return ParsedBRCode(
            fields: list.map { ParsedBRCode.Field(id: $0.id, value: $0.value) },
            pointOfInitiationMethod: pointOfInitiation,
            account: account,
            recurrenceURL: recurrence?.fields["25"]?.value,
            merchantCategoryCode: try required("52", in: top),
            transactionCurrency: currency,
            amount: amount,
            countryCode: country,
            merchantName: try required("59", in: top),
            merchantCity: try required("60", in: top),
            referenceLabel: referenceLabel,
            crc: last.value)
    }

    /// The first template among `ids` whose sub-field `00` is the Pix GUI.
    private static func pixTemplate(
        in list: [TLV], ids: ClosedRange<Int>
    ) throws(PixBRCodeError) -> (id: String, fields: [String: TLV])? {
        for object in list where ids.contains(Int(object.id) ?? -1) {
            let fields = try index(object.nested(), path: object.id + "-")
            if fields["00"]?.value.lowercased() == gui {
                return (object.id, fields)
            }
        }
        return nil
    }

    /// Indexes objects by ID, rejecting duplicates (reported as `path` + ID).
    private static func index(_ list: [TLV], path: String) throws(PixBRCodeError) -> [String: TLV] {
        var fields: [String: TLV] = [:]
        for object in list {
            guard fields.updateValue(object, forKey: object.id) == nil else {
                throw .duplicateField(id: path + object.id)
            }
        }
        return fields
    }

    private static func required(_ id: String, in fields: [String: TLV]) throws(PixBRCodeError) -> String {
        guard let value = fields[id]?.value else { throw .missingField(id: id) }
        return value
    }

    private static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "A"..."F": true
        default: false
        }
    }
}
