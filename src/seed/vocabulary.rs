//! Words the demo data is made of.
pub const FIRST_NAMES: &[&str] = &[
    "Ann", "Bram", "Chloe", "Daan", "Eva", "Finn", "Gina", "Hugo", "Iris", "Jonas", "Kim", "Lars",
    "Mila", "Noah", "Olga", "Pim", "Quinn", "Rosa", "Sem", "Tess", "Umar", "Vera", "Wout", "Xena",
    "Yara", "Zoe",
];
pub const LAST_NAMES: &[&str] = &[
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
    "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Kok", "Jacobs",
];
/// By frequency, most common first.
pub const ROLES: &[&str] = &["Viewer", "Editor", "Contributor", "Brand Manager", "Admin"];
pub const GROUPS: &[&str] = &[
    "Marketing",
    "Design",
    "Sales",
    "Product",
    "Legal",
    "Agency",
    "HR",
];
pub const REGIONS: &[&str] = &["EMEA", "AMER", "APAC", "LATAM"];
pub const BRANDS: &[&str] = &["Acme", "Nova", "Zenith", "Orbit", "Lumen"];
pub const CAMPAIGNS: &[&str] = &[
    "Summer Campaign",
    "Spring Launch",
    "Holiday Season",
    "Back to School",
    "Black Friday",
    "Brand Refresh",
    "Trade Show",
    "Product Tour",
    "Annual Report",
    "Sustainability",
];
pub const SUBJECTS: &[&str] = &[
    "Hero Banner",
    "Product Shot",
    "Team Photo",
    "Logo",
    "Storefront",
    "Lifestyle",
    "Packaging",
    "Infographic",
    "Event Stage",
    "Office",
    "Testimonial",
    "Social Tile",
    "Brochure",
    "Keynote",
    "Factory",
];
pub const TAGS: &[&str] = &[
    "approved", "web", "print", "social", "draft", "hero", "campaign", "internal", "press", "video",
];
/// Free-text queries, most popular first.
pub const QUERIES: &[&str] = &[
    "summer campaign",
    "logo",
    "product shot",
    "team photo",
    "hero banner",
    "holiday",
    "brand guidelines",
    "storefront",
    "packaging",
    "social media",
    "office",
    "event",
    "black friday",
    "infographic",
    "spring launch",
    "testimonial",
    "keynote",
    "factory",
    "annual report",
    "sustainability",
    "video intro",
    "press kit",
];
/// Queries the library holds nothing for: their searches find no results (a metadata
/// gap), most searched first.
pub const MISSING_QUERIES: &[&str] = &[
    "drone footage",
    "ceo portrait",
    "recruiting poster",
    "podcast cover",
    "trade fair 2019",
];
/// A launch users search for in the last two months, before any asset of it is tagged.
pub const NEW_MISSING_QUERY: &str = "aurora launch";
pub const EXPRESSIONS: &[&str] = &[
    "tags:approved AND region:EMEA",
    "type:video AND brand:nova",
    "folder:marketing NOT tags:draft",
    "created>2025-01-01 AND type:image",
    "brand:acme OR brand:orbit",
];
pub const PRESETS: &[&str] = &[
    "web-small",
    "web-large",
    "social-square",
    "print-cmyk",
    "thumbnail",
];
pub const PORTALS: &[&str] = &[
    "Press Room",
    "Partner Portal",
    "Brand Center",
    "Retail Kit",
    "Investor Media",
];
pub const COLLECTION_KINDS: &[&str] = &[
    "Selects",
    "Press Kit",
    "Social Pack",
    "Review",
    "Finals",
    "Moodboard",
];
/// Workflows and their stages, in order.
pub const WORKFLOWS: &[(&str, &[&str])] = &[
    (
        "Creative review",
        &["Brief", "Design", "Review", "Approval"],
    ),
    ("Legal check", &["Draft", "Legal", "Sign-off"]),
    (
        "Localization",
        &["Source", "Translate", "Proofread", "Publish"],
    ),
];
