"""Before load: profiles built from published extracts (tables in, profiles out), and a synthetic England."""
