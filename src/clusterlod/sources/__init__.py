"""Reading what curators edit (data/, ontology/, shapes/, the page), strictly: errors name file, line, record."""
