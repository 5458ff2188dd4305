"""Word lists of the demo dataset: Spanish and Catalan names, places and businesses.

Compact on purpose; ``demo.py`` combines them with a seeded random generator.
"""

# fmt: off
FIRST_NAMES = [
    # (name, gender) — gender only picks the job title's grammatical form
    *((n, "f") for n in (
        "María", "Carmen", "Ana", "Laura", "Marta", "Cristina", "Lucía", "Elena", "Paula",
        "Isabel", "Sara", "Raquel", "Pilar", "Rosa", "Sonia", "Beatriz", "Silvia", "Patricia",
        "Núria", "Montserrat", "Mireia", "Laia", "Anna", "Júlia", "Mercè", "Roser", "Neus",
        "Gemma", "Meritxell", "Queralt", "Ainhoa", "Irene", "Alba", "Noelia", "Inmaculada",
        "Rocío", "Macarena", "Amparo", "Consuelo", "Begoña",
    )),
    *((n, "m") for n in (
        "Antonio", "José", "Manuel", "Francisco", "David", "Javier", "Daniel", "Carlos",
        "Miguel", "Alejandro", "Rafael", "Pablo", "Sergio", "Fernando", "Alberto", "Luis",
        "Jorge", "Raúl", "Álvaro", "Rubén", "Jordi", "Josep", "Joan", "Pere", "Marc", "Oriol",
        "Xavier", "Albert", "Arnau", "Pau", "Guillem", "Enric", "Ignasi", "Vicent", "Iñaki",
        "Andrés", "Ignacio", "Gonzalo", "Juan Carlos", "José Luis",
    )),
]

SURNAMES = [
    "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz",
    "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez",
    "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco",
    "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín",
    "Sanz", "Núñez", "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Lozano", "Guerrero",
    "Cano", "Prieto", "Méndez", "Calvo", "Cruz", "Gallego", "Herrera", "Peña", "Aguilar",
    "Puig", "Vila", "Serra", "Soler", "Ferrer", "Font", "Pujol", "Roca", "Vidal", "Sala",
    "Casas", "Bosch", "Riera", "Camps", "Prat", "Mas", "Roig", "Vilalta", "Costa", "Ribas",
    "Sabaté", "Torrent", "Oliveras", "Martí", "Pons", "Coll", "Batlle", "Grau", "Castells",
    "Farré", "Comas", "Llobet", "Bertran", "Fabregat", "Escolà", "Miró", "Canals", "Busquets",
    "Esteve", "Vives", "Boix", "Cases", "Planas", "Xirau", "Guardiola", "Peris", "Climent",
]

# (city, province, region, postcode first, postcode span, landline prefix, CIF province codes)
CITIES = [
    ("Barcelona", "Barcelona", "Catalunya", 8001, 42, "93", ("08", "58", "59", "60", "61")),
    ("L'Hospitalet de Llobregat", "Barcelona", "Catalunya", 8901, 8, "93", ("08", "62")),
    ("Badalona", "Barcelona", "Catalunya", 8911, 8, "93", ("08", "63")),
    ("Terrassa", "Barcelona", "Catalunya", 8221, 7, "93", ("08", "64")),
    ("Sabadell", "Barcelona", "Catalunya", 8201, 8, "93", ("08", "65")),
    ("Mataró", "Barcelona", "Catalunya", 8301, 4, "93", ("08", "66")),
    ("Granollers", "Barcelona", "Catalunya", 8400, 3, "93", ("08", "67")),
    ("Manresa", "Barcelona", "Catalunya", 8240, 4, "93", ("08", "68")),
    ("Vic", "Barcelona", "Catalunya", 8500, 1, "93", ("08",)),
    ("Sant Cugat del Vallès", "Barcelona", "Catalunya", 8172, 2, "93", ("08",)),
    ("Girona", "Girona", "Catalunya", 17001, 7, "972", ("17", "55")),
    ("Figueres", "Girona", "Catalunya", 17600, 1, "972", ("17",)),
    ("Olot", "Girona", "Catalunya", 17800, 1, "972", ("17",)),
    ("Lleida", "Lleida", "Catalunya", 25001, 8, "973", ("25",)),
    ("Tàrrega", "Lleida", "Catalunya", 25300, 1, "973", ("25",)),
    ("Tarragona", "Tarragona", "Catalunya", 43001, 8, "977", ("43", "77")),
    ("Reus", "Tarragona", "Catalunya", 43201, 6, "977", ("43",)),
    ("Tortosa", "Tarragona", "Catalunya", 43500, 1, "977", ("43",)),
    ("València", "València", "Comunitat Valenciana", 46001, 26, "96", ("46", "96", "97")),
    ("Gandia", "València", "Comunitat Valenciana", 46701, 2, "96", ("46", "98")),
    ("Alacant", "Alacant", "Comunitat Valenciana", 3001, 16, "96", ("03", "53", "54")),
    ("Elx", "Alacant", "Comunitat Valenciana", 3201, 6, "96", ("03",)),
    ("Castelló de la Plana", "Castelló", "Comunitat Valenciana", 12001, 6, "964", ("12",)),
    ("Madrid", "Madrid", "Comunidad de Madrid", 28001, 55, "91", ("28", "78", "79", "80")),
    ("Alcalá de Henares", "Madrid", "Comunidad de Madrid", 28801, 6, "91", ("28", "81")),
    ("Getafe", "Madrid", "Comunidad de Madrid", 28901, 7, "91", ("28", "82")),
    ("Móstoles", "Madrid", "Comunidad de Madrid", 28931, 8, "91", ("28", "83")),
    ("Alcobendas", "Madrid", "Comunidad de Madrid", 28100, 9, "91", ("28", "84")),
    ("Sevilla", "Sevilla", "Andalucía", 41001, 20, "95", ("41", "91")),
    ("Dos Hermanas", "Sevilla", "Andalucía", 41700, 4, "95", ("41",)),
    ("Málaga", "Málaga", "Andalucía", 29001, 18, "95", ("29", "92", "93")),
    ("Marbella", "Málaga", "Andalucía", 29600, 4, "95", ("29",)),
    ("Granada", "Granada", "Andalucía", 18001, 14, "958", ("18",)),
    ("Córdoba", "Córdoba", "Andalucía", 14001, 14, "957", ("14",)),
    ("Cádiz", "Cádiz", "Andalucía", 11001, 12, "956", ("11", "72")),
    ("Jerez de la Frontera", "Cádiz", "Andalucía", 11401, 8, "956", ("11",)),
    ("Almería", "Almería", "Andalucía", 4001, 9, "950", ("04",)),
    ("Zaragoza", "Zaragoza", "Aragón", 50001, 18, "976", ("50", "99")),
    ("Palma", "Illes Balears", "Illes Balears", 7001, 15, "971", ("07", "57")),
    ("Bilbao", "Bizkaia", "Euskadi", 48001, 15, "94", ("48", "95")),
]

STREETS_CA = [
    "Carrer Major", "Carrer de la Indústria", "Passeig de Gràcia", "Rambla Nova",
    "Carrer del Comerç", "Avinguda Diagonal", "Carrer de Balmes", "Carrer de Mallorca",
    "Carrer de Sant Antoni", "Polígon Industrial Can Roca, carrer A", "Carrer de la Pau",
    "Avinguda de Catalunya", "Carrer del Mar", "Carrer Nou",
]
STREETS_ES = [
    "Calle Mayor", "Avenida de la Constitución", "Calle Real", "Gran Vía", "Calle del Sol",
    "Avenida de Andalucía", "Calle Alcalá", "Paseo de la Castellana", "Calle de Colón",
    "Polígono Industrial Las Américas, nave", "Calle San Vicente", "Avenida del Puerto",
    "Calle de la Paz", "Calle Nueva",
]

# Business name patterns per industry: (industry, size weights, catalan pattern, spanish pattern)
# {s} a surname, {t} a town, {w} a brand word. The legal form is appended.
BUSINESSES = [
    ("construction", "Construccions {s} i Fills", "Construcciones {s} e Hijos"),
    ("construction", "Reformes {s}", "Reformas {s}"),
    ("construction", "Promocions Immobiliàries {t}", "Promociones Inmobiliarias {t}"),
    ("retail", "Botiga {w}", "Tienda {w}"),
    ("retail", "Ferreteria {s}", "Ferretería {s}"),
    ("retail", "Mobles {s}", "Muebles {s}"),
    ("retail", "{w} Moda", "{w} Moda"),
    ("hospitality", "Hotel {w} {t}", "Hotel {w} {t}"),
    ("hospitality", "Restaurant Can {s}", "Restaurante Casa {s}"),
    ("hospitality", "Càmping {w}", "Apartamentos Turísticos {w}"),
    ("consulting", "Assessoria {s}", "Asesoría {s}"),
    ("consulting", "{s} & {s2} Advocats", "{s} & {s2} Abogados"),
    ("consulting", "Gestoria {s}", "Gestoría {s}"),
    ("technology", "{w} Software", "{w} Software"),
    ("technology", "{w} Tech", "{w} Tecnologías"),
    ("technology", "Sistemes Informàtics {t}", "Sistemas Informáticos {t}"),
    ("telecom", "{w} Telecom", "{w} Telecomunicaciones"),
    ("telecom", "Connecta {t}", "Conecta {t}"),
    ("finance", "{s} Assegurances", "Seguros {s}"),
    ("finance", "{w} Finances", "{w} Finanzas"),
    ("manufacturing", "Talleres {s}", "Talleres {s}"),
    ("manufacturing", "Plàstics {t}", "Plásticos {t}"),
    ("manufacturing", "Metal·lúrgica {s}", "Metalúrgica {s}"),
    ("manufacturing", "Tèxtil {s}", "Textil {s}"),
    ("health", "Clínica Dental {s}", "Clínica Dental {s}"),
    ("health", "Fisioteràpia {w}", "Fisioterapia {w}"),
    ("health", "Farmàcia {s}", "Farmacia {s}"),
    ("education", "Acadèmia {w}", "Academia {w}"),
    ("education", "Escola d'Idiomes {w}", "Escuela de Idiomas {w}"),
    ("food", "Forn de Pa {s}", "Panadería {s}"),
    ("food", "Cellers {s}", "Bodegas {s}"),
    ("food", "Embotits {s}", "Embutidos {s}"),
    ("food", "Oli {w}", "Aceites {w}"),
    ("logistics", "Transports {s}", "Transportes {s}"),
    ("logistics", "Logística {t}", "Logística {t}"),
    ("public", "Fundació {w}", "Fundación {w}"),
]

BRAND_WORDS = [
    "Mediterrània", "Sol", "Nord", "Llevant", "Ponent", "Blau", "Verd", "Alba", "Aurora",
    "Nexus", "Vértice", "Horizonte", "Delta", "Ibérica", "Costa", "Montseny", "Pirineu",
    "Duero", "Alhambra", "Giralda", "Estrella", "Faro", "Cierzo", "Tramuntana", "Olivera",
    "Brisa", "Àgora", "Innova", "Quàntum", "Atenea",
]

# (legal form, CIF letter, weight); cooperatives (SCCL) only in Catalonia
LEGAL_FORMS = [
    ("SL", "B", 60), ("SA", "A", 12), ("SLU", "B", 10), ("SLP", "B", 6), ("SCCL", "F", 3),
]

JOB_TITLES = [
    # (masculine, feminine, weight)
    ("Director general", "Directora general", 4),
    ("Gerente", "Gerente", 6),
    ("Director comercial", "Directora comercial", 5),
    ("Responsable de compras", "Responsable de compras", 8),
    ("Jefe de administración", "Jefa de administración", 6),
    ("Responsable de marketing", "Responsable de marketing", 5),
    ("Técnico de sistemas", "Técnica de sistemas", 5),
    ("Comercial", "Comercial", 10),
    ("Administrativo", "Administrativa", 10),
    ("Director financiero", "Directora financiera", 3),
    ("Responsable de recursos humanos", "Responsable de recursos humanos", 3),
    ("Jefe de producción", "Jefa de producción", 4),
    ("Socio", "Socia", 3),
    ("Responsable de atención al cliente", "Responsable de atención al cliente", 4),
]

PERSONAL_EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "telefonica.net"]

TAGS = [
    "VIP", "Newsletter", "Fira Alimentaria", "Distribuïdor", "Partner", "Pago pendiente",
    "Black Friday", "Renovación", "Sector público", "Kit Digital",
]

SOURCE_DETAILS = {
    "web_form": ["Formulario de contacto", "Descarga del catálogo 2025", "Solicitud de demo"],
    "event": ["Fira de Barcelona", "Mobile World Congress", "Feria SIMO", "Jornada PIMEC"],
    "referral": ["Recomendación de cliente", "Recomanació d'un partner"],
    "social": ["LinkedIn", "Instagram", "Facebook"],
    "email": ["Respuesta a campaña de primavera"],
    "phone": ["Llamada entrante"],
    "import": ["Importación CRM anterior"],
}

CONSENT_PROOFS = {
    "web_form": "Casilla de consentimiento marcada en {url}/contacto (política de privacidad v3)",
    "double_opt_in": "Confirmó la suscripción desde el enlace enviado a {email}",
    "in_person": "Formulario firmado en el stand de la feria; archivado en carpeta RGPD",
    "paper": "Hoja de consentimiento firmada en la oficina",
    "phone": "Consentimiento verbal grabado en la llamada del {date}",
    "withdrawn": "Baja pedida desde el enlace del boletín enviado a {email} el {date}",
    "denied": "No marcó la casilla de comunicaciones comerciales en {url}/contacto",
}
# fmt: on
