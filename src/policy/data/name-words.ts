// Words that rule a capitalised run in or out as a personal name, in English, French and Arabic, for
// the pii.name detector: capitalised words that are never names, names that are also words,
// organisation and place words, assistants' names, Arabic stop words and place words.
// Source: written by hand for this project from general knowledge of the three languages; no list
// was copied. Apache-2.0 with the project. Latin words match case-insensitively (honorifics must
// still be capitalised in the text); Arabic words match after folding (أ إ آ → ا, no diacritics).

/**
 * Capitalised words that are never (part of) a personal name here: function words, pronouns,
 * greetings, collective addressees ("Team", "All"), family roles, days and months, languages and
 * nationalities, form placeholders, common heading words, and well-known products.
 */
export const nonNameWords: readonly string[] = [
  // English function words and pronouns
  'the', 'a', 'an', 'this', 'that', 'these', 'those', 'it', 'its', "it's", 'i', "i'm", "i've",
  "i'll", "i'd", 'we', 'you', 'he', 'she', 'they', 'me', 'us', 'him', 'her', 'them', 'my', 'our',
  'your', 'his', 'their', 'and', 'or', 'but', 'if', 'then', 'so', 'as', 'at', 'by', 'for', 'from',
  'in', 'into', 'of', 'on', 'onto', 'to', 'with', 'without', 'about', 'after', 'before', 'not',
  'no', 'yes', 'all', 'any', 'some', 'every', 'each', 'both', 'none', 'there', 'here', 'where',
  'when', 'what', 'who', 'whom', 'whose', 'why', 'how', 'which', 'is', 'are', 'was', 'were', 'be',
  'been', 'being', 'has', 'have', 'had', 'do', 'does', 'did', 'can', 'could', 'should', 'would',
  'must', 'also', 'just', 'only', 'very', 'too', 'now', 'again', 'please', 'ok',
  'okay', 'yeah', 'well', 'oh', 'wow', 'still', 'even', 'ever', 'never', 'always', 'often', 'once',
  'out', 'up', 'down', 'over', 'under', 'off', 'away', 'back', 'through', 'during', 'since',
  'until', 'while', 'because', 'though', 'although', 'however', 'therefore', 'thus', 'hence',
  'maybe', 'perhaps', 'really', 'actually', 'much', 'many', 'more', 'most', 'less', 'least', 'few',
  'several', 'other', 'another', 'such', 'same', 'own', 'than', 'like', 'unlike', 'per', 'via',
  'let', "let's", "don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "wasn't",
  'thanks', 'thank', 'hello', 'hi', 'hey', 'dear', 'regards', 'best', 'kind', 'sincerely', 'cheers',
  'welcome', 'congratulations', 'greetings', 'goodbye', 'bye', 'sorry', 'excuse',
  'today', 'tomorrow', 'yesterday', 'tonight', 'morning', 'afternoon', 'evening', 'night', 'noon',
  // Collective or role addressees
  'everyone', 'everybody', 'anyone', 'anybody', 'someone', 'somebody', 'nobody', 'all', 'team',
  'teams', 'sir', 'sirs', 'madam', "ma'am", 'mam', 'ladies', 'gentlemen', 'folks', 'guys', 'gang',
  'friends', 'friend', 'colleagues', 'colleague', 'customer', 'customers', 'client', 'clients',
  'member', 'members', 'user', 'users', 'reader', 'readers', 'student', 'students', 'parent',
  'parents', 'teacher', 'teachers', 'staff', 'employee', 'employees', 'partner', 'partners',
  'applicant', 'applicants', 'candidate', 'candidates', 'hiring', 'manager', 'managers',
  'engineer', 'engineers', 'developer', 'developers', 'designer', 'analyst', 'consultant', 'director',
  'lead', 'head', 'founder', 'co-founder', 'intern', 'architect', 'scientist', 'researcher', 'specialist',
  'coordinator', 'executive', 'associate', 'technician', 'accountant', 'lawyer', 'programmer', 'trainee',
  'ingénieur', 'développeur', 'développeuse', 'responsable', 'étudiant', 'étudiante', 'stagiaire',
  'médecin', 'infirmier', 'infirmière', 'avocat', 'avocate', 'comptable', 'consultante', 'chargé', 'chargée',
  'recruiter', 'committee', 'board', 'editor', 'editors', 'valued', 'support', 'admin',
  'administrator', 'community', 'owner', 'owners', 'host', 'guest', 'guests', 'visitor',
  'visitors', 'subscriber', 'subscribers', 'patient', 'patients', 'doctor', 'doctors', 'nurse',
  'nurses', 'professor', 'sales', 'marketing', 'hr', 'it', 'finance', 'legal', 'engineering',
  'operations', 'management', 'leadership', 'department', 'office', 'service', 'services',
  'accounts', 'accounting', 'payable', 'receivable', 'human', 'resources', 'success', 'ops',
  'billing', 'helpdesk', 'desk', 'admissions', 'recruitment', 'recruiting', 'talent',
  'acquisition', 'procurement', 'purchasing', 'logistics', 'shipping', 'security', 'compliance',
  'audit', 'research', 'development', 'product', 'products', 'design', 'quality', 'assurance',
  'relations', 'communications', 'press', 'payroll', 'treasury', 'reception', 'frontdesk',
  'beaucoup', 'infiniment', 'encore', "d'avance",
  'mom', 'mum', 'mommy', 'mummy', 'mother', 'dad', 'daddy', 'father', 'brother', 'sister', 'son',
  'daughter', 'grandma', 'grandpa', 'granny', 'grandmother', 'grandfather', 'aunt', 'auntie',
  'uncle', 'cousin', 'honey', 'sweetie', 'sweetheart', 'darling', 'love', 'baby', 'babe', 'buddy',
  'mate', 'boss', 'chief', 'bro', 'sis', 'dude', 'pal', 'diary', 'god', 'lord', 'santa', 'world',
  'universe', 'neighbour', 'neighbor', 'neighbours', 'neighbors', 'family', 'fellow', 'human',
  'humans', 'assistant', 'bot', 'chatbot', 'model',
  // Placeholders and form words
  'unknown', 'anonymous', 'redacted', 'null', 'n/a', 'na', 'tbd', 'tba', 'tbc', 'test', 'example',
  'sample', 'root', 'id', 'number', 'name', 'names', 'date', 'age', 'sex', 'gender', 'male',
  'female', 'address', 'phone', 'email', 'e-mail', 'mail', 'tel', 'fax', 'mobile', 'room', 'bed',
  'file', 'record', 'records', 'report', 'note', 'notes', 'summary', 'details', 'detail',
  'information', 'info', 'data', 'form', 'section', 'chapter', 'page', 'part', 'table', 'figure',
  'step', 'item', 'version', 'update', 'status', 'type', 'code', 'level', 'subject', 'attention',
  'attn', 'urgent', 'important', 'reminder', 'warning', 'error', 'todo', 'fyi', 're', 'fwd', 'cc',
  'bcc', 'yours', 'signature', 'signed', 'x', 'xx', 'xxx', 'placeholder', 'none', 'other',
  'mr', 'mrs', 'ms', 'dr', 'prof', 'mme', 'mlle', 'jr', 'sr', 'ii', 'iii', 'iv', 'vi', 'phd', 'md',
  'esq', 'mba', 'bsc', 'msc',
  // Medical and care words that follow "patient"
  'care', 'safety', 'experience', 'portal', 'education', 'advocate', 'advocacy', 'satisfaction',
  'zero', 'covid', 'covid-19', 'alzheimer', "alzheimer's", 'parkinson', "parkinson's", 'crohn',
  "crohn's", 'hiv', 'aids', 'icu', 'er', 'mri', 'ct', 'ecg', 'ekg', 'x-ray', 'bmi', 'dob', 'mrn',
  'nhs', 'ssn', 'history', 'intake', 'transport', 'transfer', 'admission', 'discharge', 'consent',
  'privacy', 'rights', 'flow', 'outcomes', 'engagement', 'monitoring', 'feedback', 'journey',
  'centered', 'centred', 'focused', 'first', 'one', 'two', 'three', 'zero',
  // Common heading and title words
  'new', 'old', 'great', 'big', 'small', 'little', 'good', 'bad', 'better', 'worse', 'second',
  'third', 'last', 'next', 'final', 'main', 'full', 'free', 'open', 'closed', 'live', 'online',
  'daily', 'weekly', 'monthly', 'annual', 'yearly', 'global', 'local', 'national', 'international',
  'public', 'private', 'official', 'general', 'special', 'total', 'top', 'high', 'low', 'key',
  'quick', 'easy', 'simple', 'basic', 'advanced', 'complete', 'ultimate', 'official', 'real',
  'true', 'false', 'happy', 'merry', 'christmas', 'easter', 'halloween', 'thanksgiving', 'eid',
  'hanukkah', 'diwali', 'question', 'questions', 'answer', 'answers', 'help', 'faq', 'overview',
  'introduction', 'conclusion', 'background', 'results', 'methods', 'discussion', 'abstract',
  'agenda', 'minutes', 'action', 'actions', 'items', 'review', 'meeting', 'call', 'project',
  'plan', 'budget', 'policy', 'terms', 'conditions', 'privacy', 'contact', 'about', 'home', 'news',
  'blog', 'login', 'sign', 'register', 'account', 'settings', 'profile', 'dashboard', 'search',
  'read', 'see', 'click', 'learn', 'find', 'get', 'go', 'make', 'take', 'use', 'view', 'show',
  'try', 'start', 'stop', 'run', 'add', 'remove', 'delete', 'edit', 'save', 'send', 'reply',
  'forward', 'share', 'download', 'upload', 'buy', 'order', 'pay', 'book', 'join', 'follow',
  'subscribe', 'watch', 'listen', 'check', 'note', 'keep', 'stay', 'tell', 'ask', 'say', 'said',
  'says', 'wrote', 'asked', 'replied', 'added', 'told', 'thinks', 'think', 'know', 'knows', 'want',
  'wants', 'need', 'needs', 'will', 'might', 'shall', 'else', 'far', 'wait', 'early',
  // Days and months
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january',
  'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct',
  'nov', 'dec', 'mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun',
  'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche', 'janvier', 'février',
  'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'aout', 'septembre', 'octobre',
  'novembre', 'décembre', 'decembre',
  // Languages, nationalities, religions
  'english', 'french', 'german', 'spanish', 'italian', 'portuguese', 'dutch', 'arabic', 'arab',
  'arabs', 'american', 'americans', 'british', 'european', 'african', 'asian', 'chinese',
  'japanese', 'korean', 'indian', 'russian', 'canadian', 'australian', 'saudi', 'emirati',
  'egyptian', 'moroccan', 'algerian', 'tunisian', 'lebanese', 'syrian', 'jordanian', 'iraqi',
  'qatari', 'kuwaiti', 'omani', 'yemeni', 'palestinian', 'turkish', 'persian', 'iranian', 'muslim',
  'muslims', 'christian', 'christians', 'jewish', 'catholic', 'protestant', 'orthodox', 'islamic',
  'western', 'eastern', 'northern', 'southern', 'central', 'north', 'south', 'east', 'west',
  'français', 'française', 'anglais', 'anglaise', 'allemand', 'allemande', 'espagnol', 'italien',
  'arabe', 'européen', 'européenne', 'américain', 'américaine', 'marocain', 'marocaine',
  'algérien', 'algérienne', 'tunisien', 'tunisienne', 'libanais', 'saoudien', 'saoudienne',
  // French function words, addressees and titles
  'le', 'la', 'les', "l'", 'un', 'une', 'des', 'du', 'de', 'ce', 'cet', 'cette', 'ces', 'je', "j'",
  'tu', 'il', 'elle', 'on', 'nous', 'vous', 'ils', 'elles', 'mon', 'ma', 'mes', 'ton', 'ta', 'tes',
  'son', 'sa', 'ses', 'notre', 'nos', 'votre', 'vos', 'leur', 'leurs', 'et', 'ou', 'mais', 'donc',
  'or', 'ni', 'car', 'si', 'que', 'qui', 'quoi', 'où', 'quand', 'comment', 'pourquoi', 'avec',
  'sans', 'pour', 'par', 'dans', 'en', 'sur', 'sous', 'chez', 'vers', 'entre', 'après', 'avant',
  'tout', 'tous', 'toute', 'toutes', 'chacun', 'chacune', 'personne', 'rien', 'oui', 'non',
  'merci', 'bonjour', 'bonsoir', 'salut', 'cordialement', 'madame', 'monsieur', 'mesdames',
  'messieurs', 'mademoiselle', 'docteur', 'maître', 'chers', 'chères', 'cher', 'chère', 'collègues',
  'collègue', 'amis', 'amies', 'ami', 'amie', 'équipe', 'cliente', 'abonné', 'abonnés', 'abonnée',
  'participant', 'participants', 'utilisateur', 'utilisateurs', 'président', 'présidente',
  'directeur', 'directrice', 'maire', 'ministre', 'préfet', 'général', 'maréchal', 'capitaine',
  'colonel', 'commandant', 'lieutenant', 'sergent', 'abbé', 'père', 'mère', 'frère', 'sœur',
  'soeur', 'fils', 'fille', 'papa', 'maman', 'papi', 'mamie', 'tonton', 'tata', 'chéri', 'chérie',
  'patron', 'chef', 'voisin', 'voisine', "aujourd'hui", 'demain', 'hier', 'dieu', 'seigneur',
  'patient', 'patiente', 'famille', 'parents', 'élèves', 'étudiants', 'madame,', 'ça', 'voici',
  'voilà', 'est', 'sont', 'était', 'a', 'ont', 'aussi', 'très', 'bien', 'plus', 'moins', 'déjà',
  'encore', 'toujours', 'jamais', 'ici', 'là', 'alors', 'ainsi', 'puis', 'enfin', 'objet',
  // Arabic-script words never start a Latin name, but Latin words seen around Arabic names
  'saint', 'sainte', 'st', 'ste', 'san', 'santa', 'são',
  // Products and brands that follow honorifics or salutations
  'pepper', 'martens', 'oetker', 'strange', 'clean', 'right', 'wrong', 'robot', 'freeze', 'potato',
  'muscle', 'fix', 'fixit', 'sandman', 'feelgood', 'kitty', 'google', 'microsoft', 'apple',
  'amazon', 'facebook', 'meta', 'twitter', 'linkedin', 'whatsapp', 'excel', 'word', 'powerpoint',
  'outlook', 'zoom', 'slack', 'github', 'python', 'java', 'javascript', 'typescript', 'linux',
  'windows', 'iphone', 'android', 'openai', 'anthropic', 'ai', 'api', 'pdf', 'ceo', 'cto', 'cfo',
  'coo', 'vp', 'pr', 'vip', 'usa', 'uk', 'eu', 'un', 'nato', 'fbi', 'cia', 'nasa', 'ibm', 'bbc',
  'cnn', 'sncf', 'edf', 'onu', 'otan',
  // Type names that follow "name:" in code and schemas
  'string', 'boolean', 'bool', 'object', 'array', 'function', 'symbol', 'undefined', 'void',
  'never', 'promise', 'map', 'set', 'integer', 'int', 'float', 'double', 'text', 'varchar', 'char',
  'str', 'list', 'dict', 'tuple', 'optional', 'required', 'buffer', 'enum', 'interface', 'class',
  'struct', 'uuid', 'json', 'yaml', 'xml', 'html', 'csv', 'url', 'uri', 'true', 'false', 'nan',
  'default', 'value', 'values', 'field', 'fields', 'key', 'keys', 'label', 'title', 'description',
  'todo', 'fixme', 'none', 'nil', 'empty', 'blank',
];

/**
 * Words that, right after a capitalised run, make it an organisation, a place or a thing rather
 * than a person ("George Washington University", "Victoria Station", "Jordan River").
 */
export const organisationWords: readonly string[] = [
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'boulevard', 'blvd', 'ln', 'drive',
  'ct', 'place', 'pl', 'square', 'sq', 'terrace', 'crescent', 'parkway',
  'highway', 'station', 'airport', 'terminal', 'university', 'college', 'school', 'academy',
  'institute', 'hospital', 'clinic', 'center', 'centre', 'bank', 'ministry', 'inc', 'ltd', 'llc',
  'llp', 'plc', 'corp', 'corporation', 'company', 'co', 'group', 'foundation', 'trust', 'fund',
  'association', 'society', 'club', 'museum', 'library', 'bridge', 'tower',
  'building', 'stadium', 'arena', 'theatre', 'theater', 'hotel', 'church', 'cathedral', 'chapel',
  'mosque', 'temple', 'prize', 'award', 'awards', 'medal', 'syndrome', 'disease', 'act',
  'trophy', 'tournament', 'festival', 'river', 'lake', 'island',
  'islands', 'mountain', 'mountains', 'valley', 'beach', 'falls', 'county', 'state',
  'province', 'district', 'region', 'memorial', 'monument', 'freeway', 'expressway', 'port',
  'harbor', 'harbour', 'airlines', 'airways', 'motors', 'pharmaceuticals', 'pharma', 'labs',
  'laboratories', 'technologies', 'technology', 'tech', 'systems', 'solutions', 'services',
  'partners', 'associates', 'consulting', 'capital', 'holdings', 'industries', 'international',
  'global', 'media', 'news', 'times', 'journal', 'herald', 'tribune', 'gazette', 'magazine',
  'publishing', 'publishers', 'records', 'studios', 'studio', 'pictures', 'productions',
  'entertainment', 'network', 'foods', 'energy', 'electric', 
  'mining', 'insurance', 'financial', 'securities', 'investments', 'realty', 'properties', 
  'restaurant', 'bakery', 
  'pharmacy', 'medical', 'health', 'healthcare',
  'dental', 'lawyers', 'attorneys', 'parish', 'diocese', 'police', 'department',
  'dept', 'office', 'agency', 'bureau', 'commission', 'committee', 'council', 'board', 'authority',
  'administration', 'service', 'tribunal', 'prison', 'jail', 'conservatory', 'seminary',
  'polytechnic', 'city', 'award', 
  'programme', 'program', 'project', 'initiative', 'institute', 'school',
  'zoo', 'aquarium',
  'gallery', 'national', 'memorial', 'avenue', 'effect', 'principle', 'theorem',
  'equation', 'method', 'test', 'scale', 'index', 'model', 'prize', 'lycée', 'collège', 'école',
  'université', 'hôpital', 'clinique', 'institut', 'fondation', 'banque', 'société', 'groupe',
  'gare', 'aéroport', 'musée', 'théâtre', 'stade', 'parc', 'rue', 'boulevard',
  'quai', 'centre', 'cité', 'résidence', 'hôtel', 'cinéma', 'prix', 'trophée', 'maladie',
  'loi', 'association', 'lycee', 'ecole', 'universite', 'hopital', 'musee', 'theatre', 'aeroport',
];

/**
 * Words after which a capitalised run names a place, an institution or a storm, not a person
 * ("rue Victor Hugo", "Lycée Jean Moulin", "Saint Louis", "Hurricane Katrina").
 */
export const placeIntroducers: readonly string[] = [
  'rue', 'avenue', 'av', 'boulevard', 'bd', 'place', 'allée', 'allee', 'impasse', 'quai', 'chemin',
  'route', 'cours', 'square', 'passage', 'faubourg', 'lycée', 'lycee', 'collège', 'college',
  'école', 'ecole', 'université', 'universite', 'hôpital', 'hopital', 'clinique', 'centre', 'gare',
  'station', 'stade', 'musée', 'musee', 'institut', 'fondation', 'aéroport', 'aeroport', 'pont',
  'parc', 'salle', 'prix', 'saint', 'sainte', 'st', 'ste', 'san', 'santa', 'são', 'fort', 'port',
  'lake', 'mount', 'mt', 'cape', 'lac', 'mont', 'cap', 'église', 'eglise', 'avenida', 'calle',
  'piazza', 'plaza', 'hotel', 'hôtel', 'café', 'restaurant', 'cinéma', 'théâtre', 'metro',
  'métro', 'résidence', 'cité', 'domaine', 'château', 'villa', 'operation', 'opération',
  'hurricane', 'storm', 'tropical', 'typhoon', 'cyclone', 'tempête', 'ouragan', 'uss', 'hms',
  'planet', 'asteroid', 'opération', 'club', 
  'villa', 'rond-point', 'esplanade', 'promenade', 'boulevard', 'street', 'road',
  'university', 'hospital', 'school', 'institute', 'museum', 'airport', 'bridge', 'tower',
];

/** Places whose names are also given names in the lists, or would be taken for names. */
export const placeNames: readonly string[] = [
  'paris', 'london', 'berlin', 'madrid', 'rome', 'vienna', 'brussels', 'bruxelles', 'geneva',
  'genève', 'lyon', 'marseille', 'toulouse', 'nice', 'nantes', 'strasbourg', 'montpellier',
  'bordeaux', 'lille', 'rennes', 'reims', 'toulon', 'grenoble', 'dijon', 'angers', 'nîmes',
  'villeurbanne', 'clermont-ferrand', 'le havre', 'brest', 'tours', 'limoges', 'amiens', 'metz',
  'perpignan', 'besançon', 'orléans', 'rouen', 'caen', 'nancy', 'avignon', 'cannes', 'versailles',
  'saint-denis', 'lourdes', 'france', 'belgique', 'belgium', 'suisse', 'switzerland', 'germany',
  'allemagne', 'spain', 'espagne', 'italy', 'italie', 'portugal', 'england', 'angleterre',
  'scotland', 'ireland', 'wales', 'europe', 'america', 'amérique', 'canada', 'mexico', 'brazil',
  'argentina', 'chile', 'peru', 'colombia', 'cuba', 'china', 'chine', 'japan', 'japon', 'india',
  'inde', 'pakistan', 'iran', 'iraq', 'irak', 'syria', 'syrie', 'lebanon', 'liban', 'jordan',
  'jordanie', 'israel', 'palestine', 'egypt', 'égypte', 'libya', 'libye', 'tunisia', 'tunisie',
  'algeria', 'algérie', 'morocco', 'maroc', 'sudan', 'soudan', 'yemen', 'yémen', 'oman', 'qatar',
  'kuwait', 'koweït', 'bahrain', 'bahreïn', 'emirates', 'dubai', 'dubaï', 'riyadh', 'riyad',
  'jeddah', 'djeddah', 'mecca', 'medina', 'doha', 'muscat', 'manama', 'amman', 'beirut', 'beyrouth',
  'damascus', 'damas', 'baghdad', 'bagdad', 'cairo', 'le caire', 'alexandria', 'casablanca',
  'rabat', 'tunis', 'algiers', 'alger', 'africa', 'afrique', 'asia', 'asie', 'australia',
  'australie', 'russia', 'russie', 'ukraine', 'poland', 'pologne', 'greece', 'grèce', 'turkey',
  'turquie', 'istanbul', 'athens', 'athènes', 'moscow', 'moscou', 'tokyo', 'beijing', 'pékin',
  'shanghai', 'delhi', 'mumbai', 'sydney', 'melbourne', 'toronto', 'montreal', 'montréal',
  'québec', 'quebec', 'vancouver', 'new york', 'boston', 'chicago', 'houston', 'dallas', 'austin',
  'denver', 'phoenix', 'seattle', 'atlanta', 'miami', 'orlando', 'detroit', 'philadelphia',
  'washington', 'virginia', 'georgia', 'carolina', 'florida', 'california', 'texas', 'arizona',
  'nevada', 'montana', 'dakota', 'indiana', 'tennessee', 'alabama', 'louisiana', 'kentucky',
  'manchester', 'liverpool', 'birmingham', 'leeds', 'glasgow', 'edinburgh', 'bristol', 'oxford',
  'cambridge', 'chelsea', 'kent', 'devon', 'chester', 'hamburg', 'munich', 'münchen', 'cologne',
  'köln', 'frankfurt', 'stuttgart', 'düsseldorf', 'leipzig', 'dresden', 'amsterdam', 'rotterdam',
  'luxembourg', 'monaco', 'milan', 'naples', 'venice', 'florence', 'lisbon', 'lisbonne',
  'barcelona', 'barcelone', 'valencia', 'seville', 'séville', 'adelaide', 'victoria', 'regina',
  'augusta', 'savannah', 'charlotte', 'madison', 'jackson', 'lincoln', 'salem', 'troy', 'eden',
  'brittany', 'bretagne', 'normandie', 'normandy', 'provence', 'alsace', 'lorraine', 'corse',
  'corsica', 'occitanie', 'aquitaine', 'bourgogne', 'champagne', 'savoie', 'picardie',
];

/**
 * English given names from the lists that are also common words, places or brands ("Will", "May",
 * "Grace", "Christian", "Austin"): they count as names only after an honorific, a trigger or a
 * salutation. Chosen by hand, with candidates found by checking which listed names also occur as
 * lower-case words in English text.
 */
export const englishNamesNeedingContext: readonly string[] = [
  'will', 'may', 'mark', 'bill', 'rose', 'grace', 'hope', 'faith', 'june', 'april', 'august', 'jack',
  'guy', 'art', 'amber', 'angel', 'bud', 'buck', 'bunny', 'candy', 'carol',
  'chance', 'chase', 'cherry', 'chip', 'christian', 'clay', 'cliff', 'coral', 'crystal', 'daisy',
  'dale', 'dawn', 'dean', 'dell', 'dick', 'don', 'dot', 'dusty', 'earl', 'eve', 'fern',
  'frank', 'gale', 'gay', 'gene', 'gil', 'ginger', 'glen', 'grant', 'hale', 'hall', 'hank',
  'harmony', 'hazel', 'heath', 'heather', 'holly', 'hunter', 'iris', 'ivy', 'jade', 'jay',
  'jewel', 'joy', 'kay', 'kit', 'lance', 'lane', 'laurel', 'lee', 'lily', 'major', 'marshall',
  'mason', 'max', 'melody', 'miles', 'misty', 'morgan', 'nick', 'noble', 'olive', 'pat',
  'patience', 'pearl', 'penny', 'poppy', 'price', 'prince', 'ray', 'reed', 'rich', 'rick', 'robin',
  'rock', 'rod', 'ruby', 'rusty', 'sandy', 'sky', 'star', 'sterling', 'sunny', 'tab', 'victor',
  'violet', 'wade', 'ward', 'warren', 'wood', 'worth', 'austin', 'dallas', 'denver', 'orlando',
  'charlotte', 'florence', 'georgia', 'carolina', 'virginia', 'sydney', 'chelsea', 'jordan',
  'israel', 'lincoln', 'jackson', 'madison', 'washington', 'kent', 'devon', 'chester', 'adelaide',
  'victoria', 'regina', 'aurora', 'augusta', 'beverly', 'trenton', 'tyler', 'florida', 'asia',
  'brittany', 'geneva', 'valencia', 'salem', 'troy', 'bethany', 'sharon', 'eden', 'abbot', 'abbey',
  'baron', 'duke', 'king', 'dame', 'marshal', 'sergeant', 'bliss', 'brook', 'brooke',
  'butch', 'cash', 'charity', 'clementine', 'constance', 'cookie', 'dee', 'dolly', 'fanny',
  'felicity', 'fleur', 'flora', 'glory', 'goldie', 'honor', 'jasmine', 'lark',
  'lucky', 'marigold', 'mercy', 'myrtle', 'opal', 'pansy', 'piper', 'prudence', 'queenie', 'raven',
  'rosemary', 'scarlet', 'shadow', 'shelby', 'skye', 'sunshine', 'taffy', 'trixie', 'valentine',
  'velvet', 'venus', 'willow', 'wren', 'bing', 'bo', 'brandy', 'caesar', 'carter', 'cooper',
  'cole', 'cord', 'curt', 'derby', 'drew', 'dusty', 'eddy', 'fletcher', 'flint', 'ford', 'forest',
  'forrest', 'gage', 'garland', 'garnet', 'gates', 'gray', 'hardy', 'harley', 'harper', 'hart',
  'homer', 'jerry', 'jude', 'keen', 'kelly', 'kip', 'knox', 'lefty', 'lowell',
  'mack', 'merle', 'moss', 'nat', 'ned', 'pace', 'palmer', 'parker', 'pierce', 'porter', 'randy',
  'rex', 'rip', 'roman', 'rowan', 'royal', 'sawyer', 'saxon', 'shaw', 'shep', 'smith', 'stan',
  'taylor', 'thor', 'todd', 'travis', 'tucker', 'upton', 'vance', 'walker', 'wally', 'west',
  'whit', 'win', 'wolf', 'woody', 'york', 'ike', 'ira', 'jan', 'job', 'mat', 'mel', 'sal', 'sol',
  'tad', 'val', 'abe', 'herb', 'mae', 'meg', 'peg', 'sue', 'una', 'ella', 'ina', 'ora',
  'bar', 'way',
  'minor', 
  'cross', 'land', 'pip', 'dom', 'ed',
  'law', 'arch', 'mac', 'brand', 'rand', 'carry', 'perl', 'deny', 'gui', 'temp', 'bat',
  'camel', 'bank', 'rem', 'ash', 'steward', 'ax', 'bail', 'haven', 'fee', 
  'trip', 'wake', 'reg', 'worthy', 'ban', 'brew', 'conn', 'sig', 'wat', 'fan', 'sax', 
  'boot', 'lon', 'bird', 'ceil', 'bear', 'ram', 'saw', 'ty', 'fancy', 'lion', 'terra',
  'tailor', 'tan', 'vin', 'deb', 'lu', 'ber', 'cart', 'gram', 'lay', 'ring', 'stern', 'ag',
  'fidelity', 'fair', 'fin', 'cos', 'cal', 'pen', 'town', 'salmon', 'shepherd',
  'spike', 'magnum', 'mile', 'bee', 'beret', 'ivory', 'adore', 'doe', 'haze', 'gal',
  'rad', 'yank', 'welch', 'sunny', 'tiger', 'fox', 'hawk', 'storm', 'river', 'rain', 'summer',
  'winter', 'autumn', 'spring', 'ocean', 'sage', 'silver', 'gold', 'honesty', 'justice', 'liberty',
  'unity', 'trinity', 'destiny', 'serenity', 'harmony', 'precious', 'promise', 'treasure', 'sugar',
  'lamar', 'basil', 'said', 'rim', 'hind', 'lama', 'ramadan', 'rajab', 'sultan', 'sultana', 'amir',
  'emir', 'imam', 'sheikh', 'doha', 'noble', 'dusty', 'stone', 'young', 'green', 'brown', 'black',
  'white', 'gray', 'grey', 'rose', 'dior', 'chanel', 'hermès', 'lacoste', 'ford', 'dell', 'mercedes',
  'porsche', 'ferrari', 'lambo', 'tesla', 'edison', 'nobel', 'darwin', 'newton', 'einstein',
  'luigi', 'sonic', 
  'jeans', 'christmas', 'noel', 'noël', 'mercy', 'crystal',
  'hilton', 'marriott', 'paris', 'florence', 'lourdes', 'orleans', 'marseille', 'costa', 'nike',
  'adidas', 'puma', 'fila', 'versace', 'prada', 'gucci', 'zara', 'ikea', 'lego', 'nokia', 'dove',
  // Also words, restored here so that they need context
  'del', 'der', 'den', 'di', 'van', 'el', 'man', 'red', 'row', 'lib', 'case', 'min',
  'shell', 'skip', 'trace', 'base', 'web', 'dev', 'ev', 'eb', 'pet', 'port', 'link', 'lock',
  'ed', 'ad', 'ab', 'al',
];

/**
 * Names of AI assistants: "Hi Claude" in a prompt addresses the model, not a person. They are not
 * taken as a name after a salutation, an honorific or a phrase.
 */
export const assistantNames: readonly string[] = [
  'claude', 'chatgpt', 'gemini', 'copilot', 'siri', 'alexa', 'cortana', 'bard', 'grok', 'llama',
  'mistral', 'gpt', 'perplexity', 'deepseek', 'qwen',
];

/** Arabic prepositions, pronouns, particles and common verbs: a name stops before them. */
export const arabicStopWords: readonly string[] = [
  'في', 'من', 'إلى', 'الى', 'على', 'عن', 'مع', 'هو', 'هي', 'هم', 'هن', 'أنا', 'نحن', 'أنت', 'أنتم',
  'قال', 'قالت', 'يقول', 'تقول', 'يعاني', 'تعاني', 'كان', 'كانت', 'يكون', 'تكون', 'ليس', 'ليست',
  'لم', 'لن', 'لا', 'ما', 'ماذا', 'متى', 'أين', 'كيف', 'هل', 'قد', 'لقد', 'ثم', 'أو', 'بل', 'لكن',
  'لكنه', 'إن', 'أن', 'إنه', 'أنه', 'انه', 'إذا', 'اذا', 'حتى', 'منذ', 'عند', 'عندما', 'بعد', 'قبل',
  'خلال', 'حول', 'ضد', 'دون', 'بين', 'تحت', 'فوق', 'أمام', 'خلف', 'هذا', 'هذه', 'ذلك', 'تلك',
  'هناك', 'هنا', 'الذي', 'التي', 'الذين', 'اللذين', 'كل', 'بعض', 'جدا', 'أيضا', 'فقط', 'يا', 'يوم',
  'اليوم', 'أمس', 'غدا', 'سنة', 'عام', 'عمره', 'عمرها', 'يبلغ', 'تبلغ', 'ولد', 'ولدت', 'توفي',
  'توفيت', 'حضر', 'حضرت', 'ذهب', 'ذهبت', 'جاء', 'جاءت', 'أكد', 'أكدت', 'أشار', 'أشارت', 'أعلن',
  'أعلنت', 'ذكر', 'ذكرت', 'أضاف', 'أضافت', 'يعمل', 'تعمل', 'يسكن', 'تسكن', 'يقيم', 'تقيم', 'مصاب',
  'مصابة', 'بحاجة', 'رقم', 'هاتف', 'وهو', 'وهي', 'الذي', 'عليه', 'عليها', 'له', 'لها', 'به', 'بها',
  'منه', 'منها', 'فيه', 'فيها', 'إليه', 'إليها', 'يجب', 'يمكن', 'تم', 'تمت', 'سوف', 'سيتم',
  'لدى', 'لدي', 'لديه', 'لديها', 'عبر', 'نحو', 'لأن', 'كما', 'مثل', 'غير', 'سوى', 'أي', 'أحد',
  'إحدى', 'جميع', 'كافة', 'نفس', 'ضمن', 'وفق', 'حسب', 'بسبب', 'رغم', 'لدى', 'يرجى', 'نرجو',
  'أرجو', 'شكرا', 'مرحبا', 'السلام', 'عليكم', 'وعليكم', 'صباح', 'مساء', 'الخير', 'النور',
  'المحترم', 'المحترمة', 'المحترمين', 'حفظه', 'حفظها', 'الله', 'رحمه', 'رحمها', 'تعالى',
  'العزيز', 'العزيزة', 'الكريم', 'الكريمة', 'الفاضل', 'الفاضلة', 'المريض', 'المريضة', 'الطبيب',
  'العميل', 'العميلة', 'المستخدم', 'القارئ', 'الزبون', 'الموظف', 'الموظفة', 'صديقي', 'صديقتي',
  'أخي', 'أختي', 'أبي', 'أمي', 'ابني', 'ابنتي', 'زوجي', 'زوجتي', 'الجميع', 'الكل', 'فريق',
  'الفريق', 'الدعم', 'خدمة', 'العملاء', 'إدارة', 'قسم', 'شركة', 'مؤسسة', 'يعاني', 'يشكو', 'تشكو',
  'يحتاج', 'تحتاج', 'دخل', 'دخلت', 'خرج', 'خرجت', 'وصل', 'وصلت', 'يريد', 'تريد', 'أريد', 'نريد',
  // Roles written after a title: "الدكتور مدير القسم", "السيد رئيس المجلس"
  'مدير', 'مديرة', 'رئيس', 'رئيسة', 'مسؤول', 'مسؤولة', 'نائب', 'عضو', 'مشرف', 'مشرفة', 'منسق', 'منسقة', 'موظف',
  'موظفة', 'طبيب', 'طبيبة', 'استشاري', 'استشارية', 'أخصائي', 'أخصائية', 'مستشار', 'وكيل', 'مندوب', 'ممثل', 'مختص',
  'رئيسي', 'عميد', 'مفتش', 'محاضر', 'باحث', 'باحثة',
  // What follows a salutation without being a name: "مرحبا بك", "شكرا جزيلا", "مرحبا يا جماعة"
  'جماعة', 'بك', 'بكم', 'بكما', 'لك', 'لكم', 'جزيلا', 'كثيرا', 'جميعا', 'حبيبي', 'حبيبتي', 'الأعزاء', 'شباب',
  'أصدقائي', 'إخوتي', 'يا', 'وبعد',
  // Words that a name's other spelling would collide with (منى → مني "from me", بشرى → بشري "human")
  'مني', 'سلمي', 'ربي', 'لبني', 'بشري', 'عني', 'لي', 'بي',
  'طلب', 'طلبت', 'وصف', 'وصفت', 'قرر', 'قررت', 'نصح', 'نصحت', 'أجرى', 'أجرت', 'شرح', 'شرحت', 'أوصى',
  'قام', 'قامت', 'فحص', 'فحصت', 'أوضح', 'أوضحت', 'أخبر', 'أخبرت', 'أبلغ', 'سأل', 'سألت', 'أجاب',
  'أجابت', 'رد', 'ردت', 'كتب', 'كتبت', 'اتصل', 'اتصلت', 'زار', 'زارت', 'عالج', 'أعطى', 'وضع',
  'أرسل', 'أرسلت', 'استقبل', 'رفض', 'رفضت', 'وافق', 'وافقت', 'بدأ', 'بدأت', 'أنهى', 'حدد', 'نقل',
  'تحدث', 'تحدثت', 'ناقش', 'راجع', 'راجعت', 'تابع', 'لاحظ', 'وجد', 'وجدت', 'رأى', 'اعتبر',
];

/**
 * Arabic words after which a name-like run is a place or an institution ("شارع الملك فهد",
 * "جامعة الملك سعود", "مستشفى الملك فيصل").
 */
export const arabicPlaceIntroducers: readonly string[] = [
  'شارع', 'طريق', 'حي', 'جادة', 'ميدان', 'دوار', 'ساحة', 'زقاق', 'مسجد', 'جامع', 'جامعة', 'كلية',
  'مستشفى', 'مدرسة', 'مدينة', 'مطار', 'مركز', 'برج', 'فندق', 'مؤسسة', 'شركة', 'بنك', 'مصرف', 'مجمع',
  'مكتبة', 'قاعة', 'ملعب', 'نادي', 'معهد', 'سوق', 'مول', 'قصر', 'محطة', 'ميناء', 'جسر', 'حديقة',
  'متحف', 'مبنى', 'عمارة', 'منطقة', 'محافظة', 'ولاية', 'إمارة', 'قرية', 'مملكة', 'جائزة', 'مستوصف',
  'عيادة', 'صيدلية', 'مخبز', 'مطعم', 'مقهى', 'وزارة', 'هيئة', 'ديوان', 'مجلس', 'بوابة', 'خليج',
  'جبل', 'وادي', 'بحر', 'نهر', 'جزيرة', 'ضاحية', 'مخطط', 'شهر', 'عيد', 'ليلة', 'صلاة', 'سورة',
];


/** Prepositions after a job title: "I am Head of Sales", "I'm Lead Engineer at Acme", "je suis Chef de Projet chez…". */
export const rolePrepositions: readonly string[] = ['at', 'of', 'for', 'in', 'with', 'from', 'chez', 'de', 'du', 'des', 'à', 'au', 'pour', 'dans', 'auprès'];

/** Words of respect between an Arabic honorific and the name: "الأستاذ الفاضل خالد". */
export const arabicHonorificAdjectives: readonly string[] = [
  'الفاضل', 'الفاضلة', 'المحترم', 'المحترمة', 'الكريم', 'الكريمة', 'العزيز', 'العزيزة', 'القدير', 'القديرة',
  'الموقر', 'الموقرة', 'الجليل', 'الغالي', 'الغالية',
];

/** After a name, a day, an award, a building or a law named after the person: "… Day", "… Prize", "… Hall". */
export const afterNameThings: readonly string[] = [
  'day', 'week', 'award', 'awards', 'prize', 'medal', 'lecture', 'lectures', 'fellowship', 'scholarship',
  'hall', 'house', 'park', 'square', 'bridge', 'tunnel', 'library', 'stadium', 'arena', 'festival', 'cup',
  'trophy', 'effect', 'law', 'theorem', 'principle', 'equation', 'method', 'test', 'scale', 'index', 'model',
  'estate', 'gardens', 'tower', 'building', 'way', 'lane', 'court', 'close', 'place',
];

/** Generation suffixes after a name: "Martin Luther King Jr.". */
export const generationSuffixes: readonly string[] = ['jr', 'sr', 'junior', 'senior', 'ii', 'iii', 'iv'];
