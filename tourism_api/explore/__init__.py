"""The tourists' web app: a map and list of what is near, open and worth seeing, a page per
site, in the visitor's language, that keeps working offline once seen."""
