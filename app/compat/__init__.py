"""MoltFlow's documented paths and shapes over our own services: one implementation, two shapes.

Each router here parses MoltFlow's request, calls the same service our own route calls, and renders MoltFlow's
response fields. No business rule lives here: when a rule differs, it is changed in the domain's service."""
