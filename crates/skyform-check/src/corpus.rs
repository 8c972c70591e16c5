//! Seeded generator of realistic manifests (placeholder).
