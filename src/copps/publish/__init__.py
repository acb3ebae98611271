"""The only road to the public: generalise, suppress, delay; public pages, map and open data."""
