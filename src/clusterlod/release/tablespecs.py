"""The tables of dist/csv/: which records, which columns, and the SPARQL that reads them from the built graph.

Each table is a SELECT over the release (never over the YAML), one row per resource, one variable per column;
each column says how it maps back to the release's triples (CSVW propertyUrl, aboutUrl, valueUrl), so that
reading a table through its metadata gives statements the release holds. A column with no property is
presentation only (suppressOutput): a label repeated for the reader, or a figure computed from the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterlod.namespaces import STANDARD_PREFIXES, Namespaces

RDFS_LABEL = "rdfs:label"
OA_EXACT = "oa:exact"
RDF_TYPE = "rdf:type"
#: schema.org as the release writes it (https); CSVW's own context would make schema: http.
SCHEMA = STANDARD_PREFIXES["schema"]


@dataclass(frozen=True)
class Column:
    """One column: its name (alphanumeric, for scripts), its titles, its datatype and its triple."""

    name: str
    ja: str
    en: str
    datatype: str = "string"
    #: The predicate (a CURIE of CSVW's context, ``clo:...`` or an IRI template); None: presentation only.
    prop: str | None = None
    #: The subject: a template; None is the row's resource (the table's aboutUrl).
    about: str | None = None
    #: For a link: the template of the object IRI.
    value: str | None = None
    lang: str | None = None
    required: bool = False
    #: The code table (file name) whose ``code`` column lists this column's values.
    codes: str | None = None
    #: Exact words of the source: a quote, or a name as printed (kept even with characters such as Ⅱ).
    verbatim: bool = False
    #: The unit of a number, when one column has one unit (Japanese, English); else its unit column says it.
    unit: tuple[str, str] | None = None
    note_ja: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Table:
    """One CSV file: a kind of record, its columns, and the query that yields its rows."""

    file: str
    ja: str
    en: str
    description_ja: str
    description_en: str
    columns: tuple[Column, ...]
    query: str
    #: The column(s) that identify a row.
    key: tuple[str, ...] = ("iri",)
    #: The row's resource, as a template (CSVW aboutUrl).
    about: str = "{+iri}"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _iri(name: str = "iri", ja: str = "IRI（この行の資源）", en: str = "IRI (the resource of this row)") -> Column:
    return Column(name, ja, en, "anyURI", required=True,
                  note_ja="公開物の中のこの資源の IRI。ブラウザで開けばその頁が見られる。",
                  note_en="The IRI of this resource in the release; open it in a browser to see its page.")


def _names(verbatim: bool = True) -> tuple[Column, Column]:
    return (Column("name_ja", "名称（日本語）", "Name (Japanese)", prop=RDFS_LABEL, lang="ja", required=True,
                   verbatim=verbatim),
            Column("name_en", "名称（英語）", "Name (English)", prop=RDFS_LABEL, lang="en"))


def _figure(stem: str, ja: str, en: str, predicate: str, unit: tuple[str, str]) -> tuple[Column, ...]:
    """The columns of one figure of a row: value, 約, unit, year, the quote it comes from, and its IRIs."""
    figure, quote = "{+" + stem + "_figure}", "{+" + stem + "_quote_iri}"
    unit_ja = unit[0]
    return (
        Column(stem, f"{ja}（{unit_ja}）", f"{en}", "integer", "clo:value", about=figure, unit=unit,
               note_ja=f"数値のみ。単位は {stem}_unit_ja 列、概数（約）かどうかは {stem}_approximate 列。"
                       "空欄は出典に数値がないこと。",
               note_en=f"The bare number; its unit is in {stem}_unit_ja, whether it is approximate (約) in "
                       f"{stem}_approximate. Blank: the source gives no figure."),
        Column(f"{stem}_approximate", f"{ja}は概数（約）", f"{en}: approximate (約)", "boolean", "clo:approximate",
               about=figure, note_ja="true は出典が「約」と書く概数、false は出典どおりの数。",
               note_en="true: the source prints 約 (about); false: the number as printed."),
        Column(f"{stem}_unit_ja", f"{ja}の単位", f"{en}: unit (Japanese)", prop="clo:unit", about=figure, lang="ja"),
        Column(f"{stem}_unit_en", f"{ja}の単位（英語）", f"{en}: unit (English)", prop="clo:unit", about=figure,
               lang="en"),
        Column(f"{stem}_as_of", f"{ja}の時点（西暦年）", f"{en}: as of (year)", "gYear", "clo:asOf", about=figure),
        Column(f"{stem}_quote", f"{ja}の出典の引用", f"{en}: quote of the source", prop=OA_EXACT, about=quote,
               verbatim=True, note_ja="この数値が書かれた出典の語句（正確な引用）。",
               note_en="The words of the source that give this figure (an exact quote)."),
        Column(f"{stem}_figure", f"{ja}の数値の IRI", f"{en}: IRI of the figure", "anyURI", f"clo:{predicate}",
               value=figure),
        Column(f"{stem}_quote_iri", f"{ja}の引用の IRI", f"{en}: IRI of the quote", "anyURI", "clo:sourceQuote",
               about=figure, value=quote),
    )


def _figure_query(stem: str, predicate: str) -> str:
    """The OPTIONAL block of one figure; the value's quote is the figure's first (``-q1``, graph.field_figure)."""
    return f"""
  OPTIONAL {{
    ?iri clo:{predicate} ?{stem}_figure .
    ?{stem}_figure clo:value ?{stem} ; clo:approximate ?{stem}_approximate .
    OPTIONAL {{ ?{stem}_figure clo:unit ?{stem}_unit_ja FILTER(LANG(?{stem}_unit_ja) = "ja") }}
    OPTIONAL {{ ?{stem}_figure clo:unit ?{stem}_unit_en FILTER(LANG(?{stem}_unit_en) = "en") }}
    OPTIONAL {{ ?{stem}_figure clo:asOf ?{stem}_as_of }}
    OPTIONAL {{ ?{stem}_figure clo:sourceQuote ?{stem}_quote_iri FILTER(STRENDS(STR(?{stem}_quote_iri), "-q1"))
               ?{stem}_quote_iri oa:exact ?{stem}_quote }}
  }}"""


_LABELS = """
  ?iri rdfs:label ?name_ja FILTER(LANG(?name_ja) = "ja")
  OPTIONAL { ?iri rdfs:label ?name_en FILTER(LANG(?name_en) = "en") }"""


def tables(ns: Namespaces) -> list[Table]:
    """The tables of a release with base IRI ``ns.base``, in the order the metadata lists them."""
    region = ns.base + "id/region/{region}"
    return [
        Table(
            "projects.csv", "クラスター・プロジェクトと数値", "Cluster projects and their figures",
            "産業クラスター計画（第Ⅱ期）の各プロジェクト：名称、地域、企業数と大学数（数値、概数か、単位、時点、出典の引用）。",
            "Each project of the Industrial Cluster Plan (Phase II): name, region, and its numbers of companies "
            "and universities (number, whether approximate, unit, year, and the quote of the source).",
            (_iri(), *_names(),
             Column("program_iri", "事業（IRI）", "Programme (IRI)", "anyURI", "clo:clusterOf", value="{+program_iri}"),
             Column("region", "地域コード", "Region code", prop="clo:region", value=region, codes="regions.csv",
                    note_ja="regions.csv の code。編集上の追加（根拠は公開物の編集グラフ）。",
                    note_en="A code of regions.csv; an editorial addition (its basis is in the release's editorial "
                            "graphs)."),
             Column("region_name_ja", "地域名", "Region name", prop=RDFS_LABEL, about=region, lang="ja"),
             *_figure("companies", "企業数", "Companies", "companyCount", ("社", "companies")),
             *_figure("universities", "大学数", "Universities", "universityCount", ("大学", "universities"))),
            f"""SELECT DISTINCT * WHERE {{
  ?iri a clo:Cluster .{_LABELS}
  OPTIONAL {{ ?iri clo:clusterOf ?program_iri }}
  OPTIONAL {{ ?iri clo:region ?region_iri . ?region_iri rdfs:label ?region_name_ja FILTER(LANG(?region_name_ja) = "ja")
             BIND(STRAFTER(STR(?region_iri), "/id/region/") AS ?region) }}
  {_figure_query("companies", "companyCount")}
  {_figure_query("universities", "universityCount")}
}} ORDER BY ?iri"""),
        Table(
            "project-fields.csv", "プロジェクトの産業分野", "Industrial fields of the projects",
            "プロジェクトと産業分野の組（1行1組、縦持ち）。分野のコードは fields.csv。",
            "One row per project and industrial field (long format); the field codes are in fields.csv.",
            (Column("project", "プロジェクト（IRI）", "Project (IRI)", "anyURI", required=True),
             Column("project_name_ja", "プロジェクト名", "Project name", prop=RDFS_LABEL, lang="ja", required=True,
                    verbatim=True),
             Column("field", "分野コード", "Field code", prop="clo:industrialField",
                    value=ns.base + "id/field/{field}", required=True, codes="fields.csv")),
            """SELECT DISTINCT * WHERE {
  ?project a clo:Cluster ; clo:industrialField ?field_iri ; rdfs:label ?project_name_ja
  FILTER(LANG(?project_name_ja) = "ja")
  BIND(STRAFTER(STR(?field_iri), "/id/field/") AS ?field)
} ORDER BY ?project ?field""",
            key=("project", "field"), about="{+project}"),
        Table(
            "figures.csv", "数値（縦持ち）", "Figures (long format)",
            "公開物のすべての数値を1行1数値で：何の数か、値、概数か、単位、時点、出典の引用（編集上の数値は根拠）。",
            "Every figure of the release, one per row: what it counts, the number, whether approximate, unit, "
            "year, and the quote of the source (or, for an editorial figure, its basis).",
            (_iri(),
             Column("subject", "対象（IRI）", "Subject (IRI)", "anyURI", f"{ns.vocab}{{measure}}", about="{+subject}",
                    value="{+iri}", required=True),
             Column("subject_name_ja", "対象の名称", "Subject name", prop=RDFS_LABEL, about="{+subject}", lang="ja",
                    required=True, verbatim=True),
             Column("measure", "数える対象（コード）", "What is counted (code)", required=True, codes="codes.csv",
                    note_ja="codes.csv の code（clo: のプロパティ名）。",
                    note_en="A code of codes.csv (a clo: property)."),
             Column("value", "値", "Value", "integer", "clo:value", required=True,
                    note_ja="数値のみ。単位は value_unit_ja 列、概数かどうかは value_approximate 列。",
                    note_en="The bare number; its unit is in value_unit_ja, whether approximate in value_approximate."),
             Column("value_approximate", "概数（約）", "Approximate (約)", "boolean", "clo:approximate", required=True),
             Column("value_unit_ja", "単位", "Unit (Japanese)", prop="clo:unit", lang="ja", required=True),
             Column("value_unit_en", "単位（英語）", "Unit (English)", prop="clo:unit", lang="en"),
             Column("as_of", "時点（西暦年）", "As of (year)", "gYear", "clo:asOf"),
             Column("quote", "出典の引用", "Quote of the source", prop=OA_EXACT, about="{+quote_iri}", verbatim=True,
                    note_ja="この数値が書かれた出典の語句。空欄は編集上の数値（basis 列に根拠）。",
                    note_en="The words of the source that give the figure; blank for an editorial figure (see basis)."),
             Column("quote_iri", "引用の IRI", "IRI of the quote", "anyURI", "clo:sourceQuote", value="{+quote_iri}"),
             Column("as_of_quote", "時点の出典の引用", "Quote giving the year", prop=OA_EXACT,
                    about="{+as_of_quote_iri}", verbatim=True),
             Column("as_of_quote_iri", "時点の引用の IRI", "IRI of the year's quote", "anyURI", "clo:sourceQuote",
                    value="{+as_of_quote_iri}"),
             Column("scope_note_ja", "数える範囲", "Scope (Japanese)", prop="skos:scopeNote", lang="ja",
                    note_ja="出典が数える範囲を書くとき（例：高専を含む）。"
                            "引用は scope_quote_iri（改行を含むため表には載せない）。",
                    note_en="What the count covers, where the source says (e.g. 高専を含む); its quote is "
                            "scope_quote_iri (not in the table: it spans a line break)."),
             Column("scope_note_en", "数える範囲（英語）", "Scope (English)", prop="skos:scopeNote", lang="en"),
             Column("scope_quote_iri", "範囲の引用の IRI", "IRI of the scope's quote", "anyURI", "clo:sourceQuote",
                    value="{+scope_quote_iri}"),
             Column("basis", "編集上の根拠（IRI）", "Editorial basis (IRI)", "anyURI", "clo:editorialBasis",
                    value="{+basis}")),
            """SELECT DISTINCT * WHERE {
  ?measure_iri rdfs:range clo:Figure .
  ?subject ?measure_iri ?iri .
  ?iri clo:value ?value ; clo:approximate ?value_approximate .
  ?subject rdfs:label ?subject_name_ja FILTER(LANG(?subject_name_ja) = "ja")
  BIND(STRAFTER(STR(?measure_iri), STR(clo:)) AS ?measure)
  OPTIONAL { ?iri clo:unit ?value_unit_ja FILTER(LANG(?value_unit_ja) = "ja") }
  OPTIONAL { ?iri clo:unit ?value_unit_en FILTER(LANG(?value_unit_en) = "en") }
  OPTIONAL { ?iri clo:asOf ?as_of }
  OPTIONAL { ?iri clo:editorialBasis ?basis }
  OPTIONAL { ?iri clo:sourceQuote ?quote_iri FILTER(STRENDS(STR(?quote_iri), "-q1")) ?quote_iri oa:exact ?quote }
  OPTIONAL { ?iri clo:sourceQuote ?as_of_quote_iri FILTER(STRENDS(STR(?as_of_quote_iri), "-q2"))
             ?as_of_quote_iri oa:exact ?as_of_quote }
  OPTIONAL { ?iri skos:scopeNote ?scope_note_ja FILTER(LANG(?scope_note_ja) = "ja") }
  OPTIONAL { ?iri skos:scopeNote ?scope_note_en FILTER(LANG(?scope_note_en) = "en") }
  OPTIONAL { ?iri clo:sourceQuote ?scope_quote_iri FILTER(STRENDS(STR(?scope_quote_iri), "-q3")) }
} ORDER BY ?iri"""),
        Table(
            "events.csv", "イベント", "Events",
            "出典が述べるイベント：名称、日付（出典が示す精度：日・月・年のいずれか一つの列）、年度（西暦と和暦）、"
            "場所、開催状況、日付の出典の引用。",
            "The events the source names: name, dates (at the precision the source gives: one of the day, month "
            "or year columns), fiscal year (Western and Japanese era), place, status, and the quote giving the dates.",
            (_iri(),
             Column("kind", "種類（コード）", "Kind (code)", prop=RDF_TYPE, value=ns.vocab + "{kind}", required=True,
                    codes="codes.csv"),
             *_names(),
             *(Column(f"{end}_{unit}", f"{end_ja}（{unit_ja}）", f"{end_en} ({unit_en})", datatype,
                      f"clo:{end}Date",
                      note_ja=f"出典が{unit_ja}まで示すときだけ入る（ISO 8601、西暦）。",
                      note_en=f"Filled only when the source gives the {unit_en} (ISO 8601, Western calendar).")
               for end, end_ja, end_en in (("start", "開始", "Start"), ("end", "終了", "End"))
               for unit, unit_ja, unit_en, datatype in (("date", "日", "day", "date"),
                                                        ("month", "月", "month", "gYearMonth"),
                                                        ("year", "年", "year", "gYear"))),
             Column("fiscal_year", "年度（西暦）", "Fiscal year (Western)", "gYear",
                    note_ja="4月1日に始まる年度の西暦年（fiscal_year_ja の和暦と同じ年度）。",
                    note_en="The Western year in which the fiscal year begins on 1 April (the same year as "
                            "fiscal_year_ja)."),
             Column("fiscal_year_ja", "年度（和暦）", "Fiscal year (Japanese era)", prop=RDFS_LABEL,
                    about="{+fiscal_year_iri}", lang="ja", verbatim=True),
             Column("fiscal_year_iri", "年度の IRI", "IRI of the fiscal year", "anyURI", "clo:fiscalYear",
                    value="{+fiscal_year_iri}"),
             Column("place_iri", "場所（IRI）", "Place (IRI)", "anyURI", "clo:location", value="{+place_iri}"),
             Column("place_name_ja", "場所", "Place", prop=RDFS_LABEL, about="{+place_iri}", lang="ja",
                    verbatim=True),
             Column("venue_iri", "会場（IRI）", "Venue (IRI)", "anyURI", "clo:venue", value="{+venue_iri}"),
             Column("venue_name_ja", "会場", "Venue", prop=RDFS_LABEL, about="{+venue_iri}", lang="ja",
                    verbatim=True),
             Column("status", "開催状況（コード）", "Status (code)", prop="clo:status", value=ns.vocab + "{status}",
                    codes="codes.csv", note_ja="文書の時点での状況。", note_en="As of the document."),
             Column("part_of", "上位のイベント（IRI）", "Part of event (IRI)", "anyURI", "clo:partOfEvent",
                    value="{+part_of}"),
             Column("date_quote", "日付の出典の引用", "Quote giving the dates", prop=OA_EXACT,
                    about="{+date_quote_iri}", verbatim=True),
             Column("date_quote_iri", "日付の引用の IRI", "IRI of the dates' quote", "anyURI", "clo:sourceQuote",
                    value="{+date_quote_iri}"),
             Column("date_basis", "日付の編集上の根拠（IRI）", "Editorial basis of the dates (IRI)", "anyURI",
                    note_ja="出典が日付を書かず、編集者が補ったときの根拠（公開物の clo:EditorialStatement による）。",
                    note_en="Where the source prints no date and the editors supplied it: their basis (from the "
                            "release's clo:EditorialStatement).")),
            f"""SELECT DISTINCT * WHERE {{
  ?iri a ?kind_iri . VALUES ?kind_iri {{ clo:Event clo:EventSeries }}
  BIND(STRAFTER(STR(?kind_iri), STR(clo:)) AS ?kind){_LABELS}
  OPTIONAL {{ ?iri clo:startDate ?start . BIND(DATATYPE(?start) AS ?start_type) }}
  BIND(IF(?start_type = xsd:date, ?start, ?unbound) AS ?start_date)
  BIND(IF(?start_type = xsd:gYearMonth, ?start, ?unbound) AS ?start_month)
  BIND(IF(?start_type = xsd:gYear, ?start, ?unbound) AS ?start_year)
  OPTIONAL {{ ?iri clo:endDate ?end . BIND(DATATYPE(?end) AS ?end_type) }}
  BIND(IF(?end_type = xsd:date, ?end, ?unbound) AS ?end_date)
  BIND(IF(?end_type = xsd:gYearMonth, ?end, ?unbound) AS ?end_month)
  BIND(IF(?end_type = xsd:gYear, ?end, ?unbound) AS ?end_year)
  OPTIONAL {{ ?iri clo:fiscalYear ?fiscal_year_iri .
             ?fiscal_year_iri rdfs:label ?fiscal_year_ja FILTER(LANG(?fiscal_year_ja) = "ja")
             ?fiscal_year_iri time:hasBeginning/time:inXSDDate ?fiscal_start
             BIND(STR(YEAR(?fiscal_start)) AS ?fiscal_year) }}
  OPTIONAL {{ ?iri clo:location ?place_iri .
             ?place_iri rdfs:label ?place_name_ja FILTER(LANG(?place_name_ja) = "ja") }}
  OPTIONAL {{ ?iri clo:venue ?venue_iri .
             ?venue_iri rdfs:label ?venue_name_ja FILTER(LANG(?venue_name_ja) = "ja") }}
  OPTIONAL {{ ?iri clo:status ?status_iri BIND(STRAFTER(STR(?status_iri), STR(clo:)) AS ?status) }}
  OPTIONAL {{ ?iri clo:partOfEvent ?part_of }}
  OPTIONAL {{ ?iri clo:sourceQuote ?date_quote_iri FILTER(STRENDS(STR(?date_quote_iri), "-date-quote"))
             ?date_quote_iri oa:exact ?date_quote }}
  OPTIONAL {{ SELECT ?iri (MIN(?basis) AS ?date_basis) WHERE {{
    ?statement rdf:subject ?iri ; rdf:predicate ?date_property ; clo:editorialBasis ?basis .
    VALUES ?date_property {{ clo:startDate clo:endDate }} }} GROUP BY ?iri }}
}} ORDER BY ?iri"""),
        Table(
            "organisations.csv", "組織", "Organisations",
            "出典が名を挙げる組織（府省、協議会、ネットワーク、EU）：種類、名称、府省の法人番号。",
            "The organisations the source names (ministries, the council, networks, the EU): kind, name, and a "
            "ministry's corporate number.",
            (_iri(),
             Column("kind", "種類（コード）", "Kind (code)", prop=RDF_TYPE, value=ns.vocab + "{kind}", required=True,
                    codes="codes.csv"),
             *_names(),
             Column("corporate_number", "法人番号", "Corporate number", prop="clo:corporateNumber",
                    note_ja="国税庁の法人番号（13桁）。表計算ソフトでは文字列として読み込むこと。",
                    note_en="The National Tax Agency's 13-digit corporate number; import it as text in a "
                            "spreadsheet.")),
            f"""SELECT DISTINCT * WHERE {{
  ?iri a ?kind_iri . VALUES ?kind_iri {{ clo:Ministry clo:Council clo:ClusterNetwork clo:UnionOfStates }}
  BIND(STRAFTER(STR(?kind_iri), STR(clo:)) AS ?kind){_LABELS}
  OPTIONAL {{ ?iri clo:corporateNumber ?corporate_number }}
}} ORDER BY ?iri"""),
        Table(
            "prefectures.csv", "都道府県", "Prefectures",
            "47都道府県：JIS X 0401 の都道府県コード、全国地方公共団体コード（6桁、検査数字付き）、正式名称、"
            "経済産業局の地域、e-Stat の標準地域コード。出典にはなく、編集上の追加（根拠は basis 列）。",
            "The 47 prefectures: JIS X 0401 code, six-digit local government code (with its check digit), official "
            "name, METI bureau region, and the e-Stat standard area code. Not in the source: editorial (see basis).",
            (_iri(),
             Column("code", "都道府県コード（JIS X 0401）", "Prefecture code (JIS X 0401)", prop="clo:jisCode",
                    required=True, note_ja="2桁。表計算ソフトでは文字列として読み込むこと（先頭の0を保つ）。",
                    note_en="Two digits; import as text in a spreadsheet to keep the leading zero."),
             Column("local_government_code", "全国地方公共団体コード", "Local government code",
                    prop="clo:localGovernmentCode", required=True,
                    note_ja="6桁（JIS X 0402）：都道府県コード、000、検査数字。都道府県コードから計算。",
                    note_en="Six digits (JIS X 0402): the prefecture code, 000 and a check digit, computed from "
                            "the prefecture code."),
             Column("name_ja", "正式名称", "Official name (Japanese)", prop=RDFS_LABEL, lang="ja", required=True),
             Column("name_en", "名称（英語）", "Name (English)", prop=RDFS_LABEL, lang="en", required=True),
             Column("region", "地域コード", "Region code", prop="clo:coversPrefecture", about=region,
                    value="{+iri}", required=True, codes="regions.csv"),
             Column("estat_area", "e-Stat 標準地域コード（IRI）", "e-Stat standard area code (IRI)", "anyURI",
                    SCHEMA + "sameAs", value="{+estat_area}"),
             Column("basis", "編集上の根拠（IRI）", "Editorial basis (IRI)", "anyURI", "clo:editorialBasis",
                    value="{+basis}", required=True)),
            """SELECT DISTINCT * WHERE {
  ?iri a clo:Prefecture ; clo:jisCode ?code ; clo:localGovernmentCode ?local_government_code .""" + _LABELS + """
  OPTIONAL { ?region_iri clo:coversPrefecture ?iri BIND(STRAFTER(STR(?region_iri), "/id/region/") AS ?region) }
  OPTIONAL { ?iri schema:sameAs ?estat_area FILTER(STRSTARTS(STR(?estat_area), STR(sac:))) }
  OPTIONAL { ?iri clo:editorialBasis ?basis }
} ORDER BY ?code"""),
        Table(
            "regions.csv", "地域（コード表）", "Regions (code table)",
            "プロジェクトと都道府県の地域コードの表：経済産業局の管轄区域。出典にはなく、編集上の追加。",
            "The code table of the region codes of projects and prefectures: the areas of METI's regional bureaus. "
            "Not in the source: editorial.",
            (Column("code", "地域コード", "Region code", required=True),
             _iri(), *_names(verbatim=False),
             Column("bureau_ja", "経済産業局", "Bureau (Japanese)", prop="clo:bureau", lang="ja"),
             Column("bureau_en", "経済産業局（英語）", "Bureau (English)", prop="clo:bureau", lang="en"),
             Column("position", "並び順", "Order", "integer", SCHEMA + "position",
                    note_ja="地図の並び（北から）。数ではなく順番。",
                    note_en="Order on the map (north first); a rank, not a count."),
             Column("basis", "編集上の根拠（IRI）", "Editorial basis (IRI)", "anyURI", "clo:editorialBasis",
                    value="{+basis}")),
            """SELECT DISTINCT * WHERE {
  ?iri a clo:Region .""" + _LABELS + """
  BIND(STRAFTER(STR(?iri), "/id/region/") AS ?code)
  OPTIONAL { ?iri clo:bureau ?bureau_ja FILTER(LANG(?bureau_ja) = "ja") }
  OPTIONAL { ?iri clo:bureau ?bureau_en FILTER(LANG(?bureau_en) = "en") }
  OPTIONAL { ?iri schema:position ?position }
  OPTIONAL { ?iri clo:editorialBasis ?basis }
} ORDER BY ?position ?code""",
            key=("code",)),
        Table(
            "fields.csv", "産業分野（コード表）", "Industrial fields (code table)",
            "project-fields.csv の分野コードの表：出典が書く分野名。",
            "The code table of the field codes of project-fields.csv: the field names as the source writes them.",
            (Column("code", "分野コード", "Field code", required=True), _iri(), *_names(),
             Column("scheme", "概念体系（IRI）", "Concept scheme (IRI)", "anyURI", "skos:inScheme",
                    value="{+scheme}")),
            """SELECT DISTINCT * WHERE {
  ?iri a clo:IndustrialField .""" + _LABELS + """
  BIND(STRAFTER(STR(?iri), "/id/field/") AS ?code)
  OPTIONAL { ?iri skos:inScheme ?scheme }
} ORDER BY ?code""",
            key=("code",)),
        Table(
            "codes.csv", "コード表（種類・状況・数える対象）", "Code table (kinds, statuses, measures)",
            "kind、status、measure 列のコードの表。コードはオントロジーのクラス・概念・プロパティの名前。",
            "The code table of the kind, status and measure columns; each code is the name of a class, concept or "
            "property of the ontology.",
            (Column("code", "コード", "Code", required=True),
             Column("list", "コードの種類", "Code list", required=True,
                    note_ja="kind（種類）、status（開催状況）、measure（数える対象）。",
                    note_en="kind, status or measure."),
             _iri(),
             Column("name_ja", "名称（日本語）", "Name (Japanese)", prop=RDFS_LABEL, lang="ja", required=True),
             Column("name_en", "名称（英語）", "Name (English)", prop=RDFS_LABEL, lang="en", required=True)),
            """SELECT DISTINCT * WHERE {
  { VALUES (?iri ?list) { (clo:Event "kind") (clo:EventSeries "kind") (clo:Ministry "kind") (clo:Council "kind")
                          (clo:ClusterNetwork "kind") (clo:UnionOfStates "kind") } }
  UNION { ?iri a clo:EventStatus BIND("status" AS ?list) }
  UNION { ?iri rdfs:range clo:Figure BIND("measure" AS ?list) }
  ?iri rdfs:label ?name_ja FILTER(LANG(?name_ja) = "ja")
  ?iri rdfs:label ?name_en FILTER(LANG(?name_en) = "en")
  BIND(STRAFTER(STR(?iri), STR(clo:)) AS ?code)
} ORDER BY ?list ?code""",
            key=("code",)),
    ]
