"""Spain's autonomous communities and the names their provinces are written with, so a rule
can say "in Catalonia" of records whose region field holds a province ("Girona", "Gerona").
"""

from django.utils.translation import gettext_lazy as _

# code: (label, names a region field may hold: the community's, then its provinces')
COMMUNITIES = {
    "andalucia": (
        _("Andalusia"),
        [
            "Andalucía",
            "Andalucia",
            "Andalusia",
            "Almería",
            "Almeria",
            "Cádiz",
            "Cadiz",
            "Córdoba",
            "Cordoba",
            "Granada",
            "Huelva",
            "Jaén",
            "Jaen",
            "Málaga",
            "Malaga",
            "Sevilla",
        ],
    ),
    "aragon": (
        _("Aragon"),
        ["Aragón", "Aragon", "Huesca", "Teruel", "Zaragoza"],
    ),
    "asturias": (_("Asturias"), ["Asturias", "Principado de Asturias", "Oviedo"]),
    "baleares": (
        _("Balearic Islands"),
        ["Illes Balears", "Islas Baleares", "Baleares", "Balears"],
    ),
    "canarias": (
        _("Canary Islands"),
        ["Canarias", "Las Palmas", "Santa Cruz de Tenerife"],
    ),
    "cantabria": (_("Cantabria"), ["Cantabria", "Santander"]),
    "castilla_la_mancha": (
        _("Castilla-La Mancha"),
        [
            "Castilla-La Mancha",
            "Castilla La Mancha",
            "Albacete",
            "Ciudad Real",
            "Cuenca",
            "Guadalajara",
            "Toledo",
        ],
    ),
    "castilla_y_leon": (
        _("Castile and León"),
        [
            "Castilla y León",
            "Castilla y Leon",
            "Ávila",
            "Avila",
            "Burgos",
            "León",
            "Leon",
            "Palencia",
            "Salamanca",
            "Segovia",
            "Soria",
            "Valladolid",
            "Zamora",
        ],
    ),
    "cataluna": (
        _("Catalonia"),
        [
            "Catalunya",
            "Cataluña",
            "Cataluna",
            "Catalonia",
            "Barcelona",
            "Girona",
            "Gerona",
            "Lleida",
            "Lérida",
            "Lerida",
            "Tarragona",
        ],
    ),
    "valenciana": (
        _("Valencian Community"),
        [
            "Comunitat Valenciana",
            "Comunidad Valenciana",
            "València",
            "Valencia",
            "Alacant",
            "Alicante",
            "Castelló",
            "Castellón",
            "Castellon",
        ],
    ),
    "extremadura": (_("Extremadura"), ["Extremadura", "Badajoz", "Cáceres", "Caceres"]),
    "galicia": (
        _("Galicia"),
        ["Galicia", "A Coruña", "La Coruña", "A Coruna", "Lugo", "Ourense", "Orense", "Pontevedra"],
    ),
    "madrid": (_("Community of Madrid"), ["Comunidad de Madrid", "Madrid"]),
    "murcia": (_("Region of Murcia"), ["Región de Murcia", "Region de Murcia", "Murcia"]),
    "navarra": (_("Navarre"), ["Navarra", "Nafarroa", "Comunidad Foral de Navarra"]),
    "pais_vasco": (
        _("Basque Country"),
        [
            "País Vasco",
            "Pais Vasco",
            "Euskadi",
            "Álava",
            "Alava",
            "Araba",
            "Bizkaia",
            "Vizcaya",
            "Gipuzkoa",
            "Guipúzcoa",
            "Guipuzcoa",
        ],
    ),
    "la_rioja": (_("La Rioja"), ["La Rioja", "Rioja", "Logroño"]),
    "ceuta": (_("Ceuta"), ["Ceuta"]),
    "melilla": (_("Melilla"), ["Melilla"]),
}


def community_choices():
    return [(code, label) for code, (label, _names) in COMMUNITIES.items()]


def region_names(codes):
    """Every way the region field may name the communities ``codes`` (as typed, in upper and
    lower case: the comparison is exact, so an index on the column can serve it)."""
    names = []
    for code in codes:
        for name in COMMUNITIES[code][1]:
            names.extend((name, name.upper(), name.lower()))
    return list(dict.fromkeys(names))


def community_of(region):
    """The community code of a region text, or ``""`` (the rule engine's tests use it)."""
    for code in COMMUNITIES:
        if region in region_names([code]):
            return code
    return ""
