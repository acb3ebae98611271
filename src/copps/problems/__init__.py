"""Problems worked through SARA: scanning, analysis, response, assessment."""
