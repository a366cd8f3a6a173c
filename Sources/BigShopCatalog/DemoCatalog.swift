import BigShopCatalogAPI

/// A small catalog of a Brazilian electronics shop, for `scripts/run` and
/// demos: a category tree and a dozen products, prices in centavos. Each
/// product's `category` label is the slug of the category it is put in.
enum DemoCatalog {
    /// A demo category: its parent named by slug, before its children.
    struct Category {
        var slug: String
        var name: String
        var parentSlug: String = ""
        var position: Int32
    }

    static let categories: [Category] = [
        .init(slug: "celulares", name: "Celulares e Smartphones", position: 1),
        .init(slug: "informatica", name: "Informática", position: 2),
        .init(slug: "notebooks", name: "Notebooks", parentSlug: "informatica", position: 1),
        .init(slug: "tv-e-video", name: "TV e Vídeo", position: 3),
        .init(slug: "tvs", name: "Smart TVs", parentSlug: "tv-e-video", position: 1),
        .init(slug: "games", name: "Games", position: 4),
        .init(slug: "audio", name: "Áudio", position: 5),
        .init(slug: "casa", name: "Casa", position: 6),
        .init(slug: "eletrodomesticos", name: "Eletrodomésticos", parentSlug: "casa", position: 1),
        .init(slug: "eletroportateis", name: "Eletroportáteis", parentSlug: "casa", position: 2),
        .init(slug: "livros", name: "Livros", position: 7),
        .init(slug: "ebooks", name: "Leitores de e-books", parentSlug: "livros", position: 1),
    ]

    /// The demo iPhone, the product of the demo flash-sale campaign.
    static let flashSaleSKU = "APL-IPH15-128-PRT"

    static let products: [Bigshop_Catalog_V1_CreateProductRequest] = [
        .init(
            sku: "APL-IPH15-128-PRT", name: "iPhone 15 128 GB Preto",
            description: "Tela Super Retina XDR de 6,1\", Dynamic Island, câmera de 48 MP e USB-C.",
            priceCents: 529_900, stock: 25, category: "celulares"),
        .init(
            sku: "SMS-GS24-256-CNZ", name: "Samsung Galaxy S24 256 GB Cinza",
            description: "Tela Dynamic AMOLED 2X de 6,2\", Galaxy AI, câmera tripla de 50 MP.",
            priceCents: 449_900, stock: 30, category: "celulares"),
        .init(
            sku: "MOT-G84-256-AZL", name: "Motorola Moto G84 5G 256 GB Azul",
            description: "Tela pOLED de 6,55\", 8 GB de RAM, bateria de 5000 mAh.",
            priceCents: 149_900, stock: 60, category: "celulares"),
        .init(
            sku: "DEL-INS15-I5-512", name: "Notebook Dell Inspiron 15 Core i5 16 GB 512 GB SSD",
            description: "Tela Full HD de 15,6\", Intel Core i5 de 13ª geração, Windows 11.",
            priceCents: 389_900, stock: 15, category: "notebooks"),
        .init(
            sku: "APL-MBA13-M3-256", name: "MacBook Air 13\" M3 8 GB 256 GB Meia-noite",
            description: "Chip Apple M3, tela Liquid Retina de 13,6\", até 18 horas de bateria.",
            priceCents: 999_900, stock: 8, category: "notebooks"),
        .init(
            sku: "SMS-TV55-CU7700", name: "Smart TV Samsung 55\" Crystal UHD 4K CU7700",
            description: "Processador Crystal 4K, HDR10+, Tizen com Samsung TV Plus.",
            priceCents: 279_900, stock: 12, category: "tvs"),
        .init(
            sku: "LG-TV50-UR7800", name: "Smart TV LG 50\" 4K UHD ThinQ AI UR7800",
            description: "Processador α5 4K Ger6, webOS 23, Alexa e Google Assistente integrados.",
            priceCents: 229_900, stock: 14, category: "tvs"),
        .init(
            sku: "SNY-PS5-SLIM", name: "Console PlayStation 5 Slim 1 TB",
            description: "SSD de 1 TB, leitor de discos, controle sem fio DualSense.",
            priceCents: 379_900, stock: 20, category: "games"),
        .init(
            sku: "JBL-T520BT-PRT", name: "Fone de Ouvido JBL Tune 520BT Preto",
            description: "Bluetooth 5.3, som JBL Pure Bass, até 57 horas de bateria.",
            priceCents: 24_900, stock: 100, category: "audio"),
        .init(
            sku: "BRS-BRM44-375", name: "Geladeira Brastemp Frost Free Duplex 375 L Inox",
            description: "Painel eletrônico, compartimento extrafrio, 110 V.",
            priceCents: 349_900, stock: 6, category: "eletrodomesticos"),
        .init(
            sku: "MND-AF4L-PRT", name: "Fritadeira Air Fryer Mondial 4 L Preta",
            description: "1500 W, timer de 60 minutos, cesto antiaderente, 127 V.",
            priceCents: 34_990, stock: 80, category: "eletroportateis"),
        .init(
            sku: "AMZ-KDL11-16", name: "Kindle 11ª geração 16 GB",
            description: "Tela de 6\" sem reflexo com 300 ppi, luz embutida ajustável, USB-C.",
            priceCents: 49_900, stock: 40, category: "ebooks"),
    ]
}
