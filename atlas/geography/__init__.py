"""The territory: which regions existed in which year, and how the regions of two years relate."""
