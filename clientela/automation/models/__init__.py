"""Automation: workflow rules (trigger -> conditions -> actions) and outgoing webhooks. One
module per part; they are all imported here for Django."""
