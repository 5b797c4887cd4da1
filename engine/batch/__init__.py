"""All councils at once: batch runs over folders and tables of profiles."""
