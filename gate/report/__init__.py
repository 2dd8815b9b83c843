"""Reports: console, Markdown, JSON and SARIF renderings of one Report."""
