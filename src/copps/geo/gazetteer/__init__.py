"""The department's reference geography, stored: address points and street centrelines.

The one Django app inside ``copps.geo`` (the rest of geo is plain functions): its tables are
read by the geocoder (``copps geocode``, the import profiles' ``[geocode]``) and, later, by the
maps that draw the city's own streets. It lives below incidents and community so both can use it.
"""
