"""Moving data in and out in the shared JSON format: all-or-nothing imports (``importing``,
with set-based writes in ``bulk``), exports (``exporting``) and demo data (``seeding``)."""
