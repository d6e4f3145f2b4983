"""The staff REST API, /api/v1/: cases, customers, categories, service units, technicians,
incidents and planned outages, over the same services, selectors and unit scoping as the
console (complaints.services, complaints.selectors, staff.access)."""
