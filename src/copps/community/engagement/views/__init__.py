"""Engagement views: public pages, subscriptions, staff pages."""
