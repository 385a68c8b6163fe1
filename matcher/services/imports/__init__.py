"""Moving data in and out in the shared JSON format: all-or-nothing imports (``importing``,
with set-based writes through ``matcher.storage.bulk``), exports (``exporting``) and demo data
(``seeding``)."""
