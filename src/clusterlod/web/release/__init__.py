"""The served release: generations and reload, downloads and ranges, the static site, server configs."""
