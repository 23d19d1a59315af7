"""Conversation phrases per language: small talk the bot answers politely (or not at all), the short replies it
gives, and the default ways customers ask for a person. Data, not logic: app/autoreply/manners.py reads it.

Phrases are written lower-case without accents, as `manners.normalise` leaves a message."""

SMALL_TALK = {
    "greeting": {
        "en": ["hi", "hello", "hey", "hiya", "howdy", "good morning", "good afternoon", "good evening", "good day",
               "morning", "evening", "hi there", "hello there", "hey there", "how are you", "how are you doing",
               "are you there", "anyone there", "is anyone there", "yo"],
        "es": ["hola", "buenos dias", "buen dia", "buenas tardes", "buenas noches", "buenas", "que tal", "como estas",
               "como esta", "saludos", "hay alguien"],
        "pt": ["ola", "oi", "bom dia", "boa tarde", "boa noite", "tudo bem", "tudo bom", "como vai", "e ai"],
        "fr": ["bonjour", "salut", "bonsoir", "coucou", "ca va", "comment ca va", "allo"],
        "de": ["hallo", "guten tag", "guten morgen", "guten abend", "moin", "servus", "gruss gott", "wie gehts",
               "wie geht es ihnen", "hi"],
        "it": ["ciao", "salve", "buongiorno", "buonasera", "come stai", "come sta", "ehi"],
        "nl": ["hallo", "hoi", "hey", "goedemorgen", "goedemiddag", "goedenavond", "dag", "hoe gaat het"],
    },
    "thanks": {
        "en": ["thanks", "thank you", "thx", "ty", "cheers", "many thanks", "thanks a lot", "thank you very much",
               "thanks so much", "thank you so much", "much appreciated", "appreciate it", "thanks again"],
        "es": ["gracias", "muchas gracias", "mil gracias", "muchisimas gracias", "te lo agradezco", "se agradece"],
        "pt": ["obrigado", "obrigada", "muito obrigado", "muito obrigada", "valeu", "brigado", "brigada"],
        "fr": ["merci", "merci beaucoup", "merci bien", "mille mercis", "je vous remercie"],
        "de": ["danke", "danke schon", "danke sehr", "vielen dank", "besten dank", "dankeschon", "herzlichen dank"],
        "it": ["grazie", "grazie mille", "grazie tante", "ti ringrazio", "la ringrazio"],
        "nl": ["dank je", "dank je wel", "dankjewel", "dank u", "dank u wel", "bedankt", "heel erg bedankt",
               "hartelijk dank", "merci"],
    },
    "ack": {
        "en": ["ok", "okay", "k", "kk", "okey", "alright", "all right", "great", "cool", "nice", "perfect",
               "awesome", "super", "fine", "got it", "sure", "yes", "yeah", "yep", "no", "nope", "no problem",
               "sounds good", "understood", "noted", "excellent", "brilliant", "lovely", "wonderful", "good",
               "lol", "haha", "wow", "will do", "see you", "bye", "goodbye", "bye bye", "take care",
               "have a nice day", "have a good day", "good night"],
        "es": ["ok", "vale", "perfecto", "genial", "de acuerdo", "entendido", "claro", "si", "no", "bien", "muy bien",
               "super", "estupendo", "excelente", "adios", "hasta luego", "chao", "chau", "jaja", "listo", "dale"],
        "pt": ["ok", "certo", "perfeito", "otimo", "beleza", "entendi", "combinado", "tchau", "ate logo", "show",
               "legal", "sim", "nao", "tudo certo", "blz", "kkk"],
        "fr": ["ok", "d accord", "parfait", "super", "genial", "top", "tres bien", "entendu", "au revoir",
               "bonne journee", "a bientot", "oui", "non", "cool", "bien", "nickel"],
        "de": ["ok", "okay", "alles klar", "super", "prima", "perfekt", "toll", "gut", "sehr gut", "verstanden",
               "tschuss", "auf wiedersehen", "ja", "nein", "klasse", "passt", "bis dann"],
        "it": ["ok", "va bene", "perfetto", "ottimo", "benissimo", "capito", "d accordo", "arrivederci", "a presto",
               "si", "no", "certo", "bene", "fantastico"],
        "nl": ["ok", "oke", "prima", "top", "perfect", "super", "helder", "duidelijk", "tot ziens", "doei", "ja",
               "nee", "goed", "fijn", "mooi", "dag"],
    },
}
# Words that may surround small talk without making it a question ("thanks so much guys", "ok then").
FILLERS = {"so", "very", "much", "a", "lot", "you", "guys", "team", "all", "again", "then", "folks", "friend",
           "friends", "everyone", "too", "and", "oh", "ah", "well", "muy", "mucho", "muchas", "tanto", "pues", "y",
           "muito", "tudo", "e", "beaucoup", "tres", "et", "alors", "sehr", "und", "dann", "molto", "tanto", "e",
           "heel", "erg", "wel", "en", "dan", "de", "nog", "please", "por", "favor", "mate", "dear", "sir", "madam",
           "senor", "senora", "madame", "monsieur", "signore", "meneer", "mevrouw", "herr", "frau", "amigo", "amiga"}

REPLIES = {
    "greeting": {"en": "Hello! How can I help you?", "es": "¡Hola! ¿En qué puedo ayudarte?",
                 "pt": "Olá! Como posso ajudar?", "fr": "Bonjour ! Comment puis-je vous aider ?",
                 "de": "Hallo! Wie kann ich helfen?", "it": "Ciao! Come posso aiutarti?",
                 "nl": "Hallo! Waarmee kan ik helpen?"},
    "greeting_after_style": {"en": "How can I help you?", "es": "¿En qué puedo ayudarte?",
                             "pt": "Como posso ajudar?", "fr": "Comment puis-je vous aider ?",
                             "de": "Wie kann ich helfen?", "it": "Come posso aiutarti?", "nl": "Waarmee kan ik helpen?"},
    "thanks": {"en": "You're welcome!", "es": "¡De nada!", "pt": "De nada!", "fr": "Avec plaisir !",
               "de": "Gern geschehen!", "it": "Prego!", "nl": "Graag gedaan!"},
}

# Ways of asking for a person, matched as whole phrases (never as a word inside an ordinary question).
HANDOFF_PHRASES = [
    # en
    "talk to a human", "speak to a human", "talk with a human", "speak with a human", "chat with a human",
    "talk to a person", "speak to a person", "talk with a person", "speak with a person", "a real person",
    "a real human", "a human being", "human agent", "live agent", "live person", "talk to someone",
    "speak to someone", "speak with someone", "talk to somebody", "speak to somebody", "talk to an agent",
    "speak to an agent", "talk to the manager", "speak to the manager", "speak to a manager", "talk to a manager",
    "customer service representative", "talk to a representative", "speak to a representative",
    "talk to an operator", "speak to an operator", "not a bot", "are you a bot", "stop the bot",
    "i want a human", "i need a human", "get me a human", "connect me to", "transfer me to", "put me through to",
    "i want to complain", "i want to make a complaint", "file a complaint",
    # es
    "hablar con una persona", "hablar con un humano", "hablar con alguien", "hablar con un agente",
    "hablar con un asesor", "hablar con un operador", "una persona real", "hablar con el encargado",
    "quiero poner una queja", "poner una reclamacion",
    # pt
    "falar com uma pessoa", "falar com um humano", "falar com alguem", "falar com um atendente",
    "falar com atendente", "atendimento humano", "uma pessoa real", "falar com o gerente", "fazer uma reclamacao",
    # fr
    "parler a une personne", "parler a un humain", "parler a quelqu un", "parler a un conseiller",
    "parler a un agent", "une vraie personne", "un vrai humain", "parler au responsable", "faire une reclamation",
    # de
    "mit einem menschen sprechen", "mit einer person sprechen", "mit jemandem sprechen", "mit einem mitarbeiter",
    "mit einer mitarbeiterin", "echter mensch", "echten menschen", "einen menschen sprechen",
    "mit einem berater", "beschwerde einreichen",
    # it
    "parlare con una persona", "parlare con un operatore", "parlare con qualcuno", "parlare con un umano",
    "una persona vera", "una persona reale", "parlare con il responsabile", "fare un reclamo",
    # nl
    "met een mens spreken", "met een mens praten", "met een medewerker", "met iemand spreken", "met iemand praten",
    "een echt persoon", "een echte persoon", "een echt mens", "een klacht indienen",
]
