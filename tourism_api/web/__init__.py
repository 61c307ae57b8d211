"""The staff workspace: web pages where heritage offices digitise, review and publish.

Served by the same application under /staff, on the same services as the API. Pages
are rendered on the server and work as plain forms; scripts add the maps, photo
uploads with progress and deep zoom."""
