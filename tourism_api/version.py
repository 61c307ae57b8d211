"""The API's name and version, shown by the landing page and the OpenAPI document."""

API_TITLE = "Heritage and Tourism Catalogue API"
API_VERSION = "1.0.0"
