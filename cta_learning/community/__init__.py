"""The community around the Call: peer-learning events, the mailing list, Local MGI."""
