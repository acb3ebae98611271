"""CompStat and SARA reports: staff pages and PDFs built from problems, incidents and analysis."""
