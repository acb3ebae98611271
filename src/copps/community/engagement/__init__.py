"""Community engagement: surveys, watch groups and meetings, beat officers, e-mail subscriptions.

A Django app of its own (label ``engagement``) inside ``copps.community``: it shares the
community room's purpose (listening to residents) but not the Open311 models, so it keeps its
own migrations and can be worked on beside the service-request code without touching it.
"""
