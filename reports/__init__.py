"""Writing a day's report (controller/report.py) as files: JSON, CSV, and an HTML page with charts."""
