"""HTML pages: resource, index, dataset and search pages, their views, words in ja and en, charts, the map."""
