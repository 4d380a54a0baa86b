"""What a record of each type may hold, and how each field becomes RDF.

This table is the contract between the curated YAML in data/ and the
ontology: one entry per record type, one FieldSpec per field. The converter
(graph.py) is generic; a publisher adapting clusterlod to the next document
edits this table, the data and the ontology, not the converter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"            # {ja, en}: ja as written (document), en curated (editorial)
    EDITORS_TEXT = "editors_text"  # {ja?, en?}: written by the editors, always editorial
    LITERAL_JA = "literal_ja"      # a Japanese string as written in the source
    QUOTED_EN = "quoted_en"        # {value, quote}: an English string that the source itself has
    REF = "ref"              # one record id (or {ref, basis})
    REFS = "refs"            # a list of record ids
    DATE = "date"            # YYYY, YYYY-MM or YYYY-MM-DD (or {value, basis})
    FISCAL_YEAR = "fiscal_year"  # a Japanese fiscal year YYYY: an OWL-Time interval YYYY-04-01..YYYY+1-03-31
    INT = "int"              # a positive whole number
    STRING = "string"        # a plain string
    IRI = "iri"              # an absolute http(s) IRI
    FIGURE = "figure"        # {value, approximate?, as_of?, quote, ...}: a dated figure
    STATUS = "status"        # held | planned
    CONFIDENCE = "confidence"  # high | medium | low
    LINKS = "links"          # external identifiers, "scheme:identifier", checked against identifiers.csv
    QUOTE = "quote"          # an extra exact quote backing the record


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    predicate: str = ""        # CURIE; "clo:" is the project's ontology
    targets: tuple[str, ...] = ()  # record types a reference may point to
    required: bool = False
    unit: tuple[str, str] = ("", "")  # (ja, en) unit of a figure
    default: str | None = None


@dataclass(frozen=True)
class TypeSpec:
    name: str
    rdf_class: str            # CURIE
    path: str                 # IRI path segment: <base>id/<path>/<id>
    fields: tuple[FieldSpec, ...] = ()
    needs_source: bool = True  # a quote from the document, unless the record is editorial

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in (*COMMON_FIELDS, *self.fields) if f.name == name), None)


ORGANISERS = ("Ministry", "Council", "Union")  # who holds or attends an event: organisations (shapes: clo:Organization)
PARTNERS = ("Country", "Union", "Ministry")
EVENTS = ("Event", "EventSeries")
COMPANIES = FieldSpec("companies", Kind.FIGURE, "clo:companyCount", unit=("社", "companies"))
UNIVERSITIES = FieldSpec("universities", Kind.FIGURE, "clo:universityCount", unit=("大学", "universities"))

COMMON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("label", Kind.TEXT, "rdfs:label", required=True),
    FieldSpec("description", Kind.EDITORS_TEXT, "dcterms:description"),
    FieldSpec("alt_label_ja", Kind.LITERAL_JA, "skos:altLabel"),
    FieldSpec("alt_label_en", Kind.QUOTED_EN, "skos:altLabel"),
    FieldSpec("links", Kind.LINKS),
)

_TYPES: tuple[TypeSpec, ...] = (
    TypeSpec("Document", "clo:SourceDocument", "document", (
        FieldSpec("text", Kind.STRING, "clo:sourceText", required=True),
        FieldSpec("publisher", Kind.REF, "dcterms:publisher", ("Ministry",), required=True),
        FieldSpec("page", Kind.STRING, "clo:page"),
        FieldSpec("page_quote", Kind.QUOTE),
        FieldSpec("issued", Kind.DATE, "dcterms:issued"),
        FieldSpec("subject", Kind.REF, "dcterms:subject", ("Program",)),  # what the page is about (its running head)
        FieldSpec("subject_quote", Kind.QUOTE),
    )),
    TypeSpec("Section", "clo:DocumentSection", "section", (
        FieldSpec("of", Kind.REF, "dcterms:isPartOf", ("Document",), required=True),
        FieldSpec("within", Kind.REF, "clo:subSectionOf", ("Section",)),
        FieldSpec("position", Kind.INT, "schema:position", required=True),
    )),
    TypeSpec("Ministry", "clo:Ministry", "organization"),
    TypeSpec("Council", "clo:Council", "organization", (
        FieldSpec("established_by", Kind.REFS, "clo:establishedBy", ("Ministry",), required=True),
    )),
    TypeSpec("Network", "clo:ClusterNetwork", "network"),
    TypeSpec("Country", "clo:Country", "country"),
    TypeSpec("Union", "clo:UnionOfStates", "organization"),
    TypeSpec("Person", "clo:Person", "person", (
        FieldSpec("role", Kind.TEXT, "clo:role"),
        FieldSpec("country", Kind.REF, "clo:country", ("Country",)),
    )),
    TypeSpec("Program", "clo:Program", "program", (
        FieldSpec("ministry", Kind.REF, "clo:responsibleMinistry", ("Ministry",)),
        FieldSpec("complements", Kind.REFS, "clo:complements", ("Program",)),
        FieldSpec("phase_of", Kind.REF, "clo:phaseOf", ("Program",)),
        FieldSpec("phase", Kind.INT, "clo:phaseNumber"),
        FieldSpec("sub_program_of", Kind.REF, "clo:subProgramOf", ("Program",)),
        FieldSpec("projects", Kind.FIGURE, "clo:projectCount", unit=("プロジェクト", "projects")),
        COMPANIES,
        UNIVERSITIES,
        FieldSpec("company_profile", Kind.REFS, "clo:companyProfile", ("Concept",)),
        FieldSpec("spatial_scope", Kind.REF, "clo:spatialScope", ("Concept",)),
        FieldSpec("forms_network", Kind.REF, "clo:formsNetwork", ("Network",)),
        FieldSpec("aims", Kind.REFS, "clo:aim", ("Concept",)),
        FieldSpec("rationale", Kind.REFS, "clo:rationale", ("Concept",)),
    )),
    TypeSpec("Cluster", "clo:Cluster", "cluster", (
        FieldSpec("program", Kind.REF, "clo:clusterOf", ("Program",), required=True),
        FieldSpec("fields", Kind.REFS, "clo:industrialField", ("Field",), required=True),
        FieldSpec("companies", Kind.FIGURE, "clo:companyCount", required=True, unit=COMPANIES.unit),
        FieldSpec("universities", Kind.FIGURE, "clo:universityCount", required=True, unit=UNIVERSITIES.unit),
        FieldSpec("region", Kind.REF, "clo:region", ("Region",), required=True),
        FieldSpec("network", Kind.REF, "clo:umbrellaNetwork", ("Network",)),
        FieldSpec("supports", Kind.REFS, "clo:supportsNetwork", ("Network",)),
        FieldSpec("field_groups", Kind.REFS, "clo:fieldGroup", ("FieldGroup",)),
    )),
    TypeSpec("FieldScheme", "clo:FieldScheme", "scheme"),
    TypeSpec("Field", "clo:IndustrialField", "field", (
        FieldSpec("scheme", Kind.REF, "skos:inScheme", ("FieldScheme",), default="industrial-fields"),
        FieldSpec("related", Kind.REFS, "skos:related", ("Field",)),
    )),
    TypeSpec("FieldGroup", "clo:FieldGroup", "field", (
        FieldSpec("members", Kind.REFS, "skos:member", ("Field",), required=True),
    )),
    TypeSpec("Concept", "clo:StatedConcept", "concept", (
        FieldSpec("leads_to", Kind.REF, "clo:leadsTo", ("Concept",)),
        FieldSpec("carried_out_by", Kind.REF, "clo:carriedOutBy", ("Program",)),
    )),
    TypeSpec("Region", "clo:Region", "region", (
        FieldSpec("bureau", Kind.TEXT, "clo:bureau"),
        FieldSpec("position", Kind.INT, "schema:position"),
        FieldSpec("prefectures", Kind.REFS, "clo:coversPrefecture", ("Prefecture",)),
    )),
    TypeSpec("Prefecture", "clo:Prefecture", "prefecture"),
    TypeSpec("Venue", "clo:Venue", "place"),
    TypeSpec("Place", "clo:Place", "place"),
    *(
        TypeSpec(name, cls, "event", (
            FieldSpec("start", Kind.DATE, "clo:startDate"),
            FieldSpec("end", Kind.DATE, "clo:endDate"),
            FieldSpec("fiscal_year", Kind.FISCAL_YEAR, "clo:fiscalYear"),
            FieldSpec("date_quote", Kind.QUOTE),
            FieldSpec("place", Kind.REF, "clo:location", ("Place", "Venue", "Country")),
            FieldSpec("venue", Kind.REF, "clo:venue", ("Venue",)),
            FieldSpec("organizers", Kind.REFS, "clo:organizer", ORGANISERS),
            FieldSpec("participants", Kind.REFS, "clo:participant", ORGANISERS),
            # 経済産業省と協力して参加し: who the participants or organisers worked with, not itself a participant
            FieldSpec("in_cooperation_with", Kind.REFS, "clo:inCooperationWith", ORGANISERS),
            FieldSpec("partners", Kind.REFS, "clo:partner", PARTNERS),
            FieldSpec("visitor", Kind.REF, "clo:visitor", ("Person",)),
            FieldSpec("part_of", Kind.REF, "clo:partOfEvent", EVENTS),
            FieldSpec("in_conjunction_with", Kind.REF, "clo:inConjunctionWith", EVENTS),
            FieldSpec("spatial_scope", Kind.REF, "clo:spatialScope", ("Concept",)),
            FieldSpec("kind", Kind.REF, "clo:eventKind", ("Concept",)),  # what the page calls it (a campaign)
            FieldSpec("season", Kind.TEXT, "clo:season"),                # 春: the page's season, no invented day
            FieldSpec("ordinal", Kind.INT, "clo:ordinal"),               # 第7回 -> 7, checked against its quote
            FieldSpec("ordinal_quote", Kind.QUOTE),
            FieldSpec("aims", Kind.REFS, "clo:aim", ("Concept",)),
            FieldSpec("status", Kind.STATUS, "clo:status", required=True),
            # How many times a series was held: a series only (the ontology's domain of clo:occurrenceCount).
            *((FieldSpec("occurrences", Kind.FIGURE, "clo:occurrenceCount", unit=("回", "times")),)
              if name == "EventSeries" else ()),
        ))
        for name, cls in (("Event", "clo:Event"), ("EventSeries", "clo:EventSeries"))
    ),
    TypeSpec("Cooperation", "clo:Cooperation", "cooperation", (
        FieldSpec("programs", Kind.REFS, "clo:concernsProgram", ("Program",)),
        FieldSpec("partners", Kind.REFS, "clo:partner", PARTNERS),
        FieldSpec("activities", Kind.REFS, "clo:activity",
                  ("Event", "EventSeries", "Program", "Council", "Declaration")),
        FieldSpec("part_of", Kind.REF, "clo:partOfCooperation", ("Cooperation",)),
        FieldSpec("based_on", Kind.REFS, "clo:basedOn", ("Declaration", "Event")),
        FieldSpec("aims", Kind.REFS, "clo:aim", ("Concept",)),
        FieldSpec("means", Kind.REFS, "clo:means", ("Concept",)),
    )),
    TypeSpec("Declaration", "clo:Declaration", "declaration", (
        FieldSpec("issued", Kind.DATE, "dcterms:issued", required=True),
        FieldSpec("date_quote", Kind.QUOTE),
        FieldSpec("announced_at", Kind.REF, "clo:announcedAt", EVENTS),
        FieldSpec("parties", Kind.REFS, "clo:party", ("Country", "Union")),
        FieldSpec("provision", Kind.TEXT, "clo:provision"),
        FieldSpec("provision_quote", Kind.QUOTE),
    )),
    TypeSpec("EditorialBasis", "clo:EditorialBasis", "basis", (
        FieldSpec("reference", Kind.IRI, "dcterms:source", required=True),  # something a user can open
        FieldSpec("confidence", Kind.CONFIDENCE, "clo:confidence", required=True),
    ), needs_source=False),
)

TYPES: dict[str, TypeSpec] = {t.name: t for t in _TYPES}

#: Event status values (as of the document) -> ontology individuals.
STATUSES = {"held": "clo:Held", "planned": "clo:Planned"}
CONFIDENCES = ("high", "medium", "low")
#: Classes under skos:Concept: only their records may carry SKOS mapping links (graph.link_statement).
CONCEPT_CLASSES = ("clo:IndustrialField", "clo:StatedConcept")
