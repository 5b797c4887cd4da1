"""All councils at once: batch runs over folders and tables, profiles built from extracts, a synthetic England."""
