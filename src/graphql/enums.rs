//! Enums of the schema, each mapped to the string stored in the database.
use async_graphql::Enum;

macro_rules! db_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            /// The stored value.
            pub fn as_db(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }

            /// Reads a stored value; `None` for anything else.
            pub fn from_db(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

db_enum!(
    /// The kind of media an asset is.
    AssetType {
        /// A still image.
        Image = "IMAGE",
        /// A video.
        Video = "VIDEO",
        /// Any other file (documents, archives, raw camera files).
        Raw = "RAW",
    }
);

db_enum!(
    /// How an asset was uploaded.
    UploadSource {
        /// The Media Library's web upload.
        Web = "WEB",
        /// The external uploader.
        ExternalUploader = "EXTERNAL_UPLOADER",
        /// The mass uploader.
        MassUploader = "MASS_UPLOADER",
        /// The DAM's API.
        Api = "API",
    }
);

db_enum!(
    /// Where an asset is in its life.
    AssetStatus {
        /// In the library.
        Active = "ACTIVE",
        /// Archived: kept, hidden from everyday use.
        Archived = "ARCHIVED",
        /// Deleted in the DAM; it stays queryable here for its history.
        Deleted = "DELETED",
    }
);

db_enum!(
    /// Whether a user account still exists.
    UserStatus {
        /// The account exists.
        Active = "ACTIVE",
        /// The account was deleted in the DAM.
        Deleted = "DELETED",
    }
);

db_enum!(
    /// How a user was created.
    UserVia {
        /// Added one by one ("Add new users").
        Manual = "MANUAL",
        /// Added in bulk ("Add multiple users").
        Bulk = "BULK",
        /// Created from a user access request.
        AccessRequest = "ACCESS_REQUEST",
    }
);

/// Whether a job is still running.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Created and not finished.
    Open,
    /// A job.finished event was received.
    Finished,
}
