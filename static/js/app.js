// Shared behaviour for every page (kept tiny: htmx does the rest).
