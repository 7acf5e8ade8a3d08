"""System-management services: the rules of 3.7, shared by the API and the admin pages."""
