// French part of the name and address corpus: a seeded source of values, then the templates,
// hand-written sentences and hard negatives of the test part and, separately, of the dev part.
// Conventions and construction are documented in pii-corpus.ts.
import { Faker, base, en, fr } from '@faker-js/faker';
import type { LanguageSource, Piece, Template } from './pii-corpus.js';

type Sex = 'female' | 'male';

export interface FrenchValues {
  /** Un prénom, du sexe demandé ou au hasard. */
  first(sex?: Sex): string;
  /** Un nom de famille, parfois composé ou à particule. */
  last(): string;
  /** Prénom et nom, du sexe demandé ou au hasard (pour accorder « la patiente », « excusée »). */
  full(sex?: Sex): string;
  /** M., Mme, Monsieur, Madame ou Mlle, avec prénom et nom : la civilité d'un patient ou d'un client. */
  civilFull(): [title: string, name: string];
  /** Une civilité (M., Mme, Mlle, Dr, Pr, Me, Monsieur, Madame…) accordée à un prénom et un nom. */
  titledFull(): [title: string, name: string];
  /** Une civilité et un nom de famille. */
  titledLast(): [title: string, name: string];
  /** '12 rue des Lilas', '5 bis, avenue de la Gare'. */
  street(): string;
  /** Une adresse sur une ligne : voie, code postal et ville. */
  address(): string;
  /** Comme address(), parfois précédée du bâtiment ou de l'appartement : pour un formulaire ou après deux-points. */
  formAddress(): string;
  /** '69003 Lyon'. */
  postcodeCity(): string;
  /** '69003'. */
  postcode(): string;
  /** 'BP 1234', 'CS 70012', 'Boîte postale 218'. */
  poBox(): string;
  weekday(): string;
  month(): string;
  /** '12/03/1961' ou '3 mars 1961'. */
  date(): string;
  /** '14h30', '9 h 15'. */
  time(): string;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(probability: number): boolean;
}

// Written for this corpus, to add the names of today's France (and its neighbours) to faker's lists.
const givenNames = {
  female: [
    'Marie-Claire',
    'Anne-Sophie',
    'Yasmine',
    'Aïcha',
    'Inès',
    'Maëlle',
    'Gaëlle',
    'Nour',
    'Fatoumata',
    'Thi Lan',
    'Océane',
    'Soizic',
    'Khadija',
    'Clémence',
    'Bérénice',
    'Awa',
    'Leïla',
    'Mathilde',
    'Zoé',
    'Hélène',
  ],
  male: [
    'Jean-Baptiste',
    'Pierre-Yves',
    'Kévin',
    'Mamadou',
    'Karim',
    'Loïc',
    'Yanis',
    'Rachid',
    'Gwenaël',
    'Thibault',
    'Moussa',
    'Abdelkader',
    'Quentin',
    'Amadou',
    'Mehdi',
    'Youssef',
    'Erwan',
    'Grégoire',
    'Anh',
    'Bastien',
  ],
};
const familyNames = [
  'Le Goff',
  "N'Diaye",
  'Ben Ahmed',
  'Benali',
  'de La Roche',
  'Lefèvre-Marchand',
  'Da Silva',
  'Nguyen',
  'Haddad',
  'El Idrissi',
  'Ould Cheikh',
  'Van Hove',
  'Rousseau-Lambert',
  'Le Bihan',
  'Bouchareb',
  'Diallo',
  'Traoré',
  'Kowalski',
  'Mercier-Diop',
  'du Plessis',
  'Saint-Clair',
  "d'Almeida",
  'Ferrand-Oudin',
  'Mansouri',
  'Tran',
  'Kerjean',
  'Boulanger',
  'Lemaire',
];
// Real codes postaux with their commune.
const communes: ReadonlyArray<readonly [string, string]> = [
  ['75008', 'Paris'],
  ['75011', 'Paris'],
  ['75019', 'Paris'],
  ['69003', 'Lyon'],
  ['13008', 'Marseille'],
  ['31000', 'Toulouse'],
  ['33000', 'Bordeaux'],
  ['44000', 'Nantes'],
  ['59000', 'Lille'],
  ['67000', 'Strasbourg'],
  ['34000', 'Montpellier'],
  ['35000', 'Rennes'],
  ['06000', 'Nice'],
  ['21000', 'Dijon'],
  ['93200', 'Saint-Denis'],
  ['92100', 'Boulogne-Billancourt'],
  ['97400', 'Saint-Denis'],
  ['29200', 'Brest'],
  ['63000', 'Clermont-Ferrand'],
  ['87000', 'Limoges'],
  ['76000', 'Rouen'],
  ['13100', 'Aix-en-Provence'],
  ['38000', 'Grenoble'],
  ['54000', 'Nancy'],
  ['94000', 'Créteil'],
  ['57000', 'Metz'],
  ['20000', 'Ajaccio'],
];
const streetsWritten = [
  'rue des Lilas',
  'avenue de la République',
  'boulevard Voltaire',
  'chemin des Vignes',
  'allée des Tilleuls',
  'impasse du Moulin',
  'place de la Mairie',
  'rue du Général-Leclerc',
  'route de Lyon',
  'quai des Chartrons',
  'rue Nationale',
  'avenue Jean-Jaurès',
  'cours Mirabeau',
  'rue de la Paix',
  'square des Peupliers',
  'rue Pasteur',
  'résidence Les Pins',
];
const weekdays = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const months = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

export function frenchValues(seed: number): FrenchValues {
  const faker = new Faker({ locale: [fr, en, base] });
  faker.seed(seed);
  const pick = <T>(list: readonly T[]): T => faker.helpers.arrayElement(list);
  const int = (min: number, max: number): number => faker.number.int({ min, max });
  const chance = (probability: number): boolean => faker.datatype.boolean(probability);
  // Faker's fr list holds one historical figure ('Jeanne d’Arc'), drawn again.
  const fakerFirst = (sex: Sex): string => {
    let name = faker.person.firstName(sex);
    while (name.includes('’')) name = faker.person.firstName(sex);
    return name;
  };
  const firstOf = (sex: Sex): string => (chance(0.35) ? pick(givenNames[sex]) : fakerFirst(sex));
  // Faker's list has a few lower-case second words ('Le roux'); a register would not.
  const fakerLast = (): string =>
    faker.person.lastName().replace(/ ([a-zà-ÿ])/g, (_, letter: string) => ` ${letter.toUpperCase()}`);
  const last = (): string => (chance(0.35) ? pick(familyNames) : fakerLast());
  const fullOf = (sex: Sex): string => {
    if (chance(0.08)) return `${firstOf(sex)} ${fakerLast()}-${fakerLast()}`;
    return `${firstOf(sex)} ${last()}`;
  };
  const anySex = (): Sex => (chance(0.5) ? 'female' : 'male');
  const titleOf = (sex: 'female' | 'male'): string =>
    pick(
      sex === 'male' ? ['M.', 'M.', 'Monsieur', 'Dr', 'Pr', 'Me'] : ['Mme', 'Mme', 'Madame', 'Mlle', 'Dr', 'Me', 'Pr'],
    );
  const postcodeCity = (): string => {
    if (chance(0.7)) {
      const [code, commune] = pick(communes);
      return `${code} ${commune}`;
    }
    return `${faker.location.zipCode()} ${faker.location.city()}`;
  };
  const street = (): string => {
    const name = chance(0.45) ? pick(streetsWritten) : faker.location.street();
    // Faker capitalises the kind of street; French running text mostly does not.
    const voie = chance(0.6) ? name.charAt(0).toLowerCase() + name.slice(1) : name;
    const number = `${int(1, 220)}${chance(0.12) ? ` ${pick(['bis', 'ter'])}` : ''}`;
    return `${number}${chance(0.25) ? ',' : ''} ${voie}`;
  };
  return {
    first: (sex) => firstOf(sex ?? anySex()),
    last,
    full: (sex) => fullOf(sex ?? anySex()),
    civilFull: () => {
      const sex = anySex();
      return [pick(sex === 'male' ? ['M.', 'Monsieur'] : ['Mme', 'Madame', 'Mlle']), fullOf(sex)];
    },
    titledFull: () => {
      const sex = chance(0.5) ? 'female' : 'male';
      return [titleOf(sex), fullOf(sex)];
    },
    titledLast: () => [titleOf(chance(0.5) ? 'female' : 'male'), last()],
    street,
    address: () => `${street()}, ${postcodeCity()}`,
    formAddress: () =>
      `${chance(0.3) ? `${pick(['Bât. B', 'Bâtiment C', `Appartement ${int(1, 40)}`, `Apt ${int(1, 40)}`, 'Résidence du Parc, bât. A'])}, ` : ''}${street()}, ${postcodeCity()}`,
    postcodeCity,
    postcode: () => pick(communes)[0],
    poBox: () =>
      pick([`BP ${int(1, 9999)}`, `B.P. ${int(1, 999)}`, `CS ${int(10000, 99999)}`, `Boîte postale ${int(1, 999)}`]),
    weekday: () => pick(weekdays),
    month: () => pick(months),
    date: () =>
      chance(0.5)
        ? `${String(int(1, 28)).padStart(2, '0')}/${String(int(1, 12)).padStart(2, '0')}/${int(1931, 2006)}`
        : `${int(1, 28)} ${pick(months)} ${int(1931, 2006)}`,
    time: () =>
      chance(0.5)
        ? `${int(8, 18)}h${pick(['00', '15', '30', '45'])}`
        : `${int(8, 18)} h ${pick(['00', '15', '30', '45'])}`,
    int,
    pick,
    chance,
  };
}

const titled = ([title, name]: [string, string]): Piece[] => [`${title} `, { name }];
// « de » elides before a vowel or a mute h: « le contrat d’Abdelkader », « de Marie ».
const ofName = (name: string): Piece[] =>
  /^[aeiouyàâéèêëîïôöùûüh]/i.test(name) ? ['d’', { name }] : ['de ', { name }];

// ---------------------------------------------------------------------------------------------
// Partie test : noms.

const testNameContextTemplates: Array<Template<FrenchValues>> = [
  (values) => [
    'Bonjour ',
    { name: values.first() },
    ',\n\nPeux-tu me renvoyer le compte rendu de la réunion de ',
    `${values.weekday()} ? Il manque la dernière page.\n\nMerci,\n`,
    { name: values.first() },
  ],
  (values) => [
    "Je m'appelle ",
    { name: values.full() },
    ' et je voudrais contester des frais bancaires prélevés deux fois ce mois-ci.',
  ],
  (values) => [
    'Nom : ',
    { name: values.last() },
    '\nPrénom : ',
    { name: values.first() },
    `\nDate de naissance : ${values.date()}\nMotif de consultation : douleurs thoraciques`,
  ],
  (values) => [
    'Résume ce courrier : « Je vous adresse ',
    ...titled(values.civilFull()),
    ", 67 ans, pour avis concernant une dyspnée d'effort d'aggravation progressive. »",
  ],
  (values) => [
    'Peux-tu rédiger une réponse polie à ',
    ...titled(values.titledLast()),
    ` pour décaler le rendez-vous de ${values.weekday()} à la semaine prochaine ?`,
  ],
  (values) => [
    'Patiente : ',
    { name: values.full('female') },
    `\nChambre ${values.int(101, 340)}, service de cardiologie\nEntrée le ${values.int(1, 28)} ${values.month()} pour malaise.`,
  ],
  (values) => [
    'Compte rendu de réunion — comité de pilotage\nPrésents : ',
    { name: values.full() },
    ', ',
    { name: values.full() },
    ', ',
    { name: values.full() },
    '\nExcusée : ',
    { name: values.full('female') },
  ],
  (values) => [
    'Vu ce jour par le Dr ',
    { name: values.last() },
    ' aux urgences : entorse de la cheville droite, pas de fracture à la radio.',
  ],
  (values) => [
    'Je vous prie d’agréer, Madame, Monsieur, l’expression de mes salutations distinguées.\n\n',
    { name: values.full() },
    '\nResponsable des ressources humaines',
  ],
  (values) => ['Cordialement,\n', { name: values.full() }],
  (values) => [
    'Dossier suivi par ',
    ...titled(values.titledFull()),
    ` — merci de rappeler la référence dans toute correspondance.`,
  ],
  (values) => [
    'Salut ',
    { name: values.first() },
    ' ! Tu peux me remplacer à la permanence de samedi ? Bisous, ',
    { name: values.first() },
  ],
  (values) => [
    'Traduis en anglais : « Le Pr ',
    { name: values.full() },
    ' présentera les résultats de l’essai clinique jeudi à 14 h. »',
  ],
  (values) => [
    'Note RH : la salariée ',
    { name: values.full('female') },
    ` reprend à mi-temps thérapeutique à compter du ${values.int(1, 28)} ${values.month()}.`,
  ],
  (values) => ['À l’attention de ', ...titled(values.civilFull()), '\nObjet : relance facture impayée'],
  (values) => ['Signé : ', { name: values.full() }, `, le ${values.date()}`],
];

const testNameContextSentences: Array<Piece[] | string> = [
  [
    'Mme ',
    { name: 'Brigitte Lefèvre-Marchand' },
    ', 82 ans, hospitalisée pour une chute à domicile, est désormais autonome pour la marche.',
  ],
  ['je m’appelle ', { name: 'kevin bouchareb' }, ' et je n’arrive plus à me connecter à mon espace client'],
  ['De : ', { name: 'Samia Ould Cheikh' }, '\nÀ : service comptabilité\nObjet : note de frais de mars'],
  ['Chère ', { name: 'Solène' }, ',\n\nMerci encore pour ton accueil la semaine dernière.'],
  ['Me ', { name: 'Arnaud Delacourt' }, ', avocat au barreau de Lyon, représente la famille dans cette affaire.'],
  ['Bien à vous,\n', { name: 'Pierre-Yves Kerjean' }, '\nChef de projet'],
  ['Monsieur ', { name: 'Haddad' }, ' a demandé à être rappelé avant midi au sujet de son prêt.'],
  ['NOM : ', { name: 'MOREAU' }, '\nPRÉNOM(S) : ', { name: 'Jeanne Élise' }, '\nNÉE LE : 04/09/1957'],
  ['Le patient, M. ', { name: 'Amadou Traoré' }, ', a bien toléré la première cure de chimiothérapie.'],
  ['Merci beaucoup ', { name: 'Thibault' }, ', c’est exactement ce qu’il me fallait !'],
  ['Adressé par le Dr ', { name: 'Cécile Vautrin' }, ', médecin traitant, pour bilan d’une anémie.'],
  ['Bonjour Madame ', { name: 'Nguyen' }, ', votre dossier de prêt est complet ; la signature est prévue vendredi.'],
  ['Pouvez-vous vérifier l’orthographe : « Mlle ', { name: 'Gwenaëlle Le Bihan' }, ' a été admise au concours. » ?'],
  ['Bises,\n', { name: 'Maëlle' }],
  ['Rapport rédigé par Mme ', { name: 'Ines Benali' }, ' et relu par M. ', { name: 'Lucas Ferrand-Oudin' }, '.'],
];

const testNameBareTemplates: Array<Template<FrenchValues>> = [
  (values) => [{ name: values.full() }, ' a appelé ce matin pour savoir où en est son remboursement.'],
  (values) => [
    'Peux-tu reformuler : ',
    { name: values.full() },
    ' et ',
    { name: values.full() },
    ' piloteront l’audit avec l’appui de la direction financière.',
  ],
  (values) => ['Le contrat ', ...ofName(values.full()), ' arrive à échéance fin juin, faut-il le renouveler ?'],
  (values) => ['D’après le procès-verbal, ', { name: values.full('male') }, ' s’est abstenu lors du vote.'],
  (values) => ['Qui doit valider la note de frais envoyée par ', { name: values.full() }, ' ?'],
  (values) => [
    'Félicitations à ',
    { name: values.full() },
    ', ',
    { name: values.full() },
    ' et ',
    { name: values.full() },
    ' pour leur réussite au concours d’infirmier !',
  ],
  (values) => [
    'J’ai eu ',
    { name: values.full() },
    ' au téléphone : la carte a été bloquée par le service anti-fraude.',
  ],
  (values) => ['Résume ce mail : ', { name: values.full() }, ' demande à décaler ses congés d’une semaine.'],
];

const testNameBareSentences: Array<Piece[] | string> = [
  [{ name: 'Marie Dubois' }, ' a appelé deux fois, elle attend toujours le remboursement de sa consultation.'],
  ['Pourquoi le dossier d’', { name: 'Élodie Martin' }, ' a-t-il été transmis au service contentieux ?'],
  [{ name: 'Jean-Baptiste Rousseau-Lambert' }, ' et ', { name: 'Awa Diallo' }, ' assurent l’astreinte ce week-end.'],
  ['Il paraît que ', { name: 'Mehdi El Idrissi' }, ' a été trop payé depuis avril.'],
  [
    'Le rapport a été préparé par ',
    { name: 'Clémence du Plessis' },
    ', puis validé par ',
    { name: 'Karim Mansouri' },
    ' mardi dernier.',
  ],
  [
    'Il faut un petit mot pour le pot de départ de ',
    { name: 'Françoise Kowalski' },
    ', qui part à la retraite après trente ans en pédiatrie.',
  ],
  [
    'Équipe A : ',
    { name: 'Yanis Tran' },
    ', ',
    { name: 'Soizic Le Goff' },
    ', ',
    { name: 'Hugo Da Silva' },
    '. Équipe B : le reste du service.',
  ],
  ['Est-ce normal que ', { name: 'Fatoumata N’Diaye' }, ' ait été prélevée deux fois pour la même ordonnance ?'],
];

// ---------------------------------------------------------------------------------------------
// Partie test : adresses.

const testStreetTemplates: Array<Template<FrenchValues>> = [
  (values) => ['Merci de livrer au ', { address: values.address() }, ', digicode au nom du gardien, 3e étage gauche.'],
  (values) => [
    'Madame, Monsieur,\n\nNous vous confirmons le changement de votre adresse de correspondance : ',
    { address: values.formAddress() },
    '.\n\nLe service clientèle',
  ],
  (values) => [
    'Adresse : ',
    { address: values.street() },
    '\n',
    { address: values.postcodeCity() },
    '\nTéléphone : sur demande',
  ],
  (values) => [
    'J’ai déménagé au ',
    { address: values.street() },
    ' le mois dernier mais je reçois encore les relevés à l’ancienne adresse.',
  ],
  (values) => [
    `Visite à domicile prévue ${values.weekday()} au `,
    { address: values.address() },
    ' ; patiente grabataire, clé dans la boîte à clés.',
  ],
  (values) => [
    { address: values.street() },
    ` : la chaudière fuit depuis ${values.weekday()} et le propriétaire ne répond pas.`,
  ],
  (values) => [
    'Envoyez deux cartons de gants au cabinet, ',
    { address: values.address() },
    ', à l’attention de l’infirmière coordinatrice.',
  ],
  (values) => [
    'Mets en forme cet en-tête de lettre :\n',
    ...titled(values.titledFull()),
    '\n',
    { address: values.street() },
    '\n',
    { address: values.postcodeCity() },
  ],
  (values) => [
    'Adresses précédentes : ',
    { address: values.formAddress() },
    ' ; ',
    { address: values.formAddress() },
    '.',
  ],
  (values) => [
    'L’accident a eu lieu devant le ',
    { address: values.street() },
    ` vers ${values.time()}, selon le témoin.`,
  ],
  (values) => [
    'Siège social : ',
    { address: values.formAddress() },
    ` — SIREN ${values.int(100, 999)} ${values.int(100, 999)} ${values.int(100, 999)}`,
  ],
  (values) => [
    'Le colis a été déposé chez le voisin du ',
    { address: values.street() },
    ', pouvez-vous écrire une réclamation au transporteur ?',
  ],
];

const testStreetSentences: Array<Piece[] | string> = [
  [
    'Domicilié ',
    { address: '14 bis, rue des Acacias, 92100 Boulogne-Billancourt' },
    ', le requérant sollicite un délai de paiement.',
  ],
  [
    'Pouvez-vous vérifier si le ',
    { address: '8 impasse des Glycines, 34000 Montpellier' },
    ' est bien dans la zone de livraison ?',
  ],
  ['nouvelle adresse : ', { address: '3 allée des mésanges 44300 nantes' }, ' merci de mettre à jour'],
  [
    'Le bail du ',
    { address: '27 quai de la Fosse' },
    ' se termine en juin et le dépôt de garantie n’est toujours pas rendu.',
  ],
  ['Livraison : ', { address: 'Bât. C, 120 avenue de Paris, 94800 Villejuif' }, ' (quai de déchargement à l’arrière)'],
  ['Elle a été retrouvée à son domicile (', { address: '5 rue du Four' }, ') par sa voisine, qui a appelé le 15.'],
  [
    'Écris une lettre à la mairie au sujet des nids-de-poule devant le ',
    { address: '62 chemin de la Croix-Rousse, Lyon' },
    '.',
  ],
  ['Nos bureaux de Bruxelles ont déménagé : ', { address: 'Rue de la Loi 155, 1040 Bruxelles' }, '.'],
  ['Adresse de facturation :\n', { address: '1250, rue Sherbrooke Ouest, Montréal (Québec) H3G 1K5' }],
  [
    'J’habite au ',
    { address: '9 square des Peupliers' },
    ' et les poubelles ne sont pas ramassées depuis trois semaines.',
  ],
];

const testPostcodeTemplates: Array<Template<FrenchValues>> = [
  (values) => ['Livrez-vous en 24 h au ', { address: values.postcode() }, ' ?'],
  (values) => ['La patiente vit seule à ', { address: values.postcodeCity() }, ', sans aide à domicile.'],
  (values) => [
    'Notre adresse postale : ',
    { address: `${values.poBox()}, ${values.postcodeCity()} Cedex` },
    '. Merci de ne pas envoyer de chèques à l’agence.',
  ],
  (values) => ['Code postal : ', { address: values.postcode() }, '\nPays : France\nLangue : français'],
  (values) => ['L’entrepôt sera transféré à ', { address: values.postcodeCity() }, ' au printemps.'],
  (values) => ['Le ', { address: values.postcode() }, ' fait-il partie du secteur de l’hospitalisation à domicile ?'],
];

const testPostcodeSentences: Array<Piece[] | string> = [
  ['Toute correspondance doit être adressée à ', { address: 'BP 4417, 21491 Djeddah' }, ', Arabie saoudite.'],
  ['Mon code postal est ', { address: '97400' }, ' mais le site refuse de le prendre.'],
  ['Le siège a quitté Paris pour ', { address: '69003 Lyon' }, ' l’an dernier.'],
  ['Les chèques sont à libeller à l’ordre du Trésor public et à envoyer ', { address: 'B.P. 2250' }, '.'],
  ['Le courrier arrive bien à ', { address: '75700 Paris Cedex 07' }, ' ?'],
  ['Je suis sur ', { address: '1203 Genève' }, ', c’est couvert par votre service ?'],
];

// ---------------------------------------------------------------------------------------------
// Partie test : négatifs difficiles (ni nom de personne, ni adresse postale).

const destinations = ['Casablanca', 'Alger', 'Montréal', 'Dakar', 'Riyad', 'Tunis', 'Genève'];
const medicaments = ['Doliprane', 'Kardégic', 'Levothyrox', 'Amoxicilline', 'Spasfon', 'Inexium', 'Xarelto'];

const testNegativeTemplates: Array<Template<FrenchValues>> = [
  (values) => [
    `Votre vol AF ${values.int(1000, 9999)} à destination de ${values.pick(destinations)} part du terminal 2${values.pick(['E', 'F', 'G'])}, porte ${values.pick(['K', 'L', 'M'])}${values.int(20, 59)}.`,
  ],
  (values) => [
    `Facture n° ${values.int(10000, 99999)} d’un montant de ${values.int(100, 9999)},${values.int(10, 99)} € à régler avant le ${values.int(1, 28)} ${values.month()}.`,
  ],
  (values) => [
    `Salle ${values.int(1, 40)}, bâtiment ${values.pick(['A', 'B', 'C', 'D'])} : réservée pour la Revue budgétaire ${values.int(2019, 2026)}.`,
  ],
  (values) => [
    `${values.pick(medicaments)} ${values.pick(['1000', '500', '75', '20', '100'])} mg : ${values.pick(['un comprimé', 'deux comprimés', 'trois comprimés'])} par jour pendant ${values.int(5, 30)} jours.`,
  ],
  (values) => [
    `Commande n° ${values.int(100000, 999999)} : ${values.int(2, 12)} boîtes de gants réf. ${values.int(10000, 99999)}-${values.pick(['S', 'M', 'L'])}, expédiée ${values.weekday()}.`,
  ],
  (values) => [
    `Le point d’équipe du ${values.weekday()} est déplacé à ${values.time()} ; ordre du jour : objectifs du T${values.int(1, 4)}.`,
  ],
  (values) => [
    `Réf. : ${values.pick(['RH', 'DAF', 'CNIL', 'JUR'])}/${values.int(2019, 2026)}/${values.int(100, 9999)}. Merci de rappeler cette référence dans toute correspondance.`,
  ],
  (values) => [
    `Le lit ${values.int(1, 30)} de l’unité ${values.int(1, 9)}${values.pick(['A', 'B'])} sera libre à partir de ${values.time()}.`,
  ],
  (values) => [
    `Virement de ${values.int(1000, 90000)} euros vers la ${values.pick(['Société Générale', 'Banque Postale', 'BNP Paribas', 'Caisse d’Épargne', 'BRED'])} programmé le ${values.weekday()} ${values.int(1, 28)} ${values.month()}.`,
  ],
  (values) => [
    `Le TGV ${values.int(6000, 9999)} à destination de ${values.pick(['Marseille Saint-Charles', 'Lyon Part-Dieu', 'Nancy', 'Bordeaux Saint-Jean', 'Lille Flandres'])} partira du quai ${values.int(1, 24)} avec ${values.int(5, 45)} minutes de retard.`,
  ],
  (values) => [
    `Ciné-club ce soir : ${values.pick(['Les 400 Coups', '12 Hommes en colère', 'Les Quatre Cents Coups', 'La Haine', 'Le Cinquième Élément', '37°2 le matin'])}, salle ${values.int(1, 20)}, à ${values.time()}.`,
  ],
  (values) => [
    `Constantes : T ${values.int(36, 39)},${values.int(0, 9)} °C, TA ${values.int(10, 16)}/${values.int(6, 9)}, FC ${values.int(55, 110)}, SpO2 ${values.int(90, 99)} % en air ambiant.`,
  ],
];

const testNegativeSentences: Array<Piece[] | string> = [
  // Civilités et fonctions sans nom.
  'Madame, Monsieur,\n\nJe vous écris pour obtenir une copie de mes relevés de compte de l’année dernière.',
  'Le médecin va vous recevoir.',
  'Chère cliente, cher client, votre relevé est disponible en ligne.',
  'Bonjour à tous, petit rappel : les feuilles de temps sont à rendre avant midi.',
  'Le patient est stable, pas de nouvelle plainte cette nuit.',
  'Cordialement,\nLe service client',
  'Bien à vous,\nL’équipe comptabilité',
  'Monsieur le Directeur,\n\nJ’ai l’honneur de solliciter un entretien.',
  'Madame la Présidente, mesdames et messieurs les conseillers,',
  'À l’attention du service des ressources humaines.',
  'Faut-il écrire « M. » ou « Mr » pour abréger Monsieur ?',
  'Demandez à la patiente de retirer ses bijoux avant l’IRM.',
  'Le chirurgien de garde a été prévenu.',
  'Mon nom n’a pas d’importance, je veux juste savoir comment contester un prélèvement.',
  'Le ministre répondra aux questions des députés mercredi.',
  'Bonjour, pouvez-vous m’aider à rédiger une lettre de motivation ?',
  'Signé pour le compte du conseil d’administration.',
  // Mots de la voirie dans la prose.
  'La rue était calme ce matin-là.',
  'Elle est sur le chemin de la guérison.',
  'Ce projet est une voie sans issue.',
  'Les manifestants sont descendus dans la rue.',
  'L’homme de la rue ne comprend rien à ces réformes.',
  'Prenez la deuxième sortie au rond-point puis suivez la direction de l’A6.',
  'La place du marché était bondée samedi.',
  'Le TGV part du quai 3.',
  'Rayon 12, allée B : les produits d’entretien.',
  'On a fait fausse route dès le départ.',
  'Il y a encore du chemin à faire avant la mise en production.',
  'Les avenues de recherche ne manquent pas.',
  'Le boulevard périphérique est saturé ce soir.',
  'Passage piéton obligatoire devant l’école.',
  // Nombres suivis de mots en capitales.
  '12 Hommes en colère reste un grand film de procès.',
  'Budget 2024 : Révision à mi-parcours',
  'Il nous faut 45 Licences Windows 11 Pro.',
  '50000 Euros ont été virés par erreur.',
  'Les 4 Fantastiques sortent en salle mercredi.',
  'Article 49 alinéa 3 de la Constitution.',
  'Niveau 3, Zone C : fermé pour travaux.',
  'Les 24 Heures du Mans ont lieu en juin.',
  '3 Pizzas Margherita et 2 Tiramisus, s’il vous plaît.',
  'Top 10 des Conseils pour bien dormir',
  // Codes qui ressemblent à des codes postaux.
  'Le vol AF 1234 est annulé à cause du brouillard.',
  'Le lot 75008 n’a pas passé le contrôle qualité.',
  'Référence 13001-B en rupture de stock.',
  'Code promo PRINTEMPS2024 valable jusqu’à dimanche.',
  'La commande 69003 a été remboursée le 4.',
  'Erreur E24 sur le lave-linge : problème de vidange.',
  'Code APE 8610Z, activités hospitalières.',
  'Article L. 1234-5 du Code du travail.',
  'Le 3919 est le numéro d’écoute pour les violences.',
  'Le département 93 a reçu une dotation exceptionnelle.',
  'Numéro de suivi : 6A 123 456 789 01.',
  // Mots qui sont aussi des prénoms.
  'Pierre qui roule n’amasse pas mousse.',
  'Rose ou blanc pour le dîner ?',
  'Claire et concise, la note a été bien reçue.',
  'Patience, les résultats arrivent demain.',
  'Prudence sur la route ce week-end.',
  'Victoire ! Le dossier est enfin accepté.',
  'Noël approche, pensez aux congés.',
  'Constance et rigueur sont attendues dans ce poste.',
  'Marine nationale : le recrutement est ouvert.',
  'Olive ou tournesol, quelle huile pour la friture ?',
  'Grâce à vous, tout est réglé.',
  'Aimé de tous, ce service sera regretté.',
  'Désiré depuis longtemps, le nouveau scanner est arrivé.',
  'Blanche ou colorée, la façade doit être refaite.',
  'Vendredi, c’est permis !',
  'Toussaint : l’agence sera fermée le 1er novembre.',
  'Florence est magnifique au printemps.',
  'Le train pour Nancy part à 9 h.',
  'Lourdes accueille des millions de pèlerins chaque année.',
  // Marques, organismes, médicaments, lieux.
  'La Société Générale et le Crédit Agricole facturent les virements internationaux.',
  'Le ministère de la Santé a mis à jour ses recommandations mardi.',
  'Rendez-vous gare de Lyon sous l’horloge.',
  'Les bureaux de Riyad et de Djeddah ferment plus tôt pendant le ramadan.',
  'Paris est magnifique en octobre.',
  'Il a été transféré à l’hôpital Necker hier soir.',
  'Le CHU de Bordeaux ouvre un nouveau service d’urgences.',
  'La Caisse d’allocations familiales a suspendu les versements.',
  'Doliprane 1000 mg, un comprimé toutes les six heures au maximum.',
  'Peut-on prendre de l’ibuprofène avec du Kardégic ?',
  'Microsoft Teams plante sans arrêt sur ma Surface.',
  'Dépose-le sur Google Drive et partage le lien sur Slack.',
  'La SNCF annonce une grève pour jeudi.',
  'Le Monde a publié une enquête sur les loyers.',
  'Saint-Denis et Aubervilliers sont desservies par la ligne 13.',
  'France Travail a changé ses horaires d’accueil.',
  'La Pitié-Salpêtrière recrute des infirmiers de bloc.',
  'L’Assurance Maladie rembourse ce vaccin à 65 %.',
  // Dates, montants, horaires.
  'La date limite est le lundi 14 octobre à 17 h.',
  'Paiement de 12 450,00 € reçu le 03/11/2024.',
  'Le chiffre d’affaires du T3 progresse de 4,2 % à 18,6 M€.',
  'Horaires : du lundi au vendredi de 8 h à 18 h, le samedi de 9 h à 13 h.',
  'Prochaine révision : 30/06/2025.',
  'Le loyer passe à 845 € charges comprises au 1er janvier.',
];

// ---------------------------------------------------------------------------------------------
// Partie dev : d'autres modèles, d'autres phrases, une autre graine.

const devNameContextTemplates: Array<Template<FrenchValues>> = [
  (values) => [
    'Coucou ',
    { name: values.first() },
    ',\nTu as pu signer l’avenant ? Dis-moi si tu as besoin d’aide.\nÀ plus,\n',
    { name: values.first() },
  ],
  (values) => [
    'Rédige un mot de remerciement à ',
    ...titled(values.titledFull()),
    ' pour sa présidence du comité d’éthique cette année.',
  ],
  (values) => [
    'Nom et prénom : ',
    { name: values.full() },
    `\nNé(e) le : ${values.date()}\nPersonne à prévenir : `,
    { name: values.full() },
    ' (conjoint)',
  ],
  (values) => ['Bonjour, je suis ', { name: values.full() }, ' et je ne reconnais pas un paiement sur ma carte.'],
  (values) => [
    'Courrier de consultation\nObjet : ',
    { name: values.full('female') },
    '\nLa patiente est venue accompagnée de son fils ; deux chutes le mois dernier.',
  ],
  (values) => [
    'Cette signature est-elle correcte ? « Très cordialement, ',
    { name: values.full('female') },
    ', directrice des opérations »',
  ],
  (values) => [
    'Sortie sous la responsabilité du Dr ',
    { name: values.full() },
    ', contrôle en consultation de pneumologie dans six semaines.',
  ],
  (values) => [
    'Réclamation : ',
    ...titled(values.titledLast()),
    ` a appelé quatre fois depuis ${values.weekday()} et demande à parler à un responsable.`,
  ],
];

const devNameContextSentences: Array<Piece[] | string> = [
  ['Cher confrère,\n\nJe vous remercie d’avoir reçu Mme ', { name: 'Odile Charpentier' }, ' en consultation mémoire.'],
  ['Demandeur : ', { name: 'Rachid Ben Ahmed' }, '\nType de titre : passeport talent'],
  ['À bientôt,\n', { name: 'Gwenaël' }],
  ['Le jury sera présidé par Mme ', { name: 'Adjovi' }, ' et le Pr ', { name: 'Henri Saint-Clair' }, '.'],
  ['bonjour je m appelle ', { name: 'priscilla mendy' }, ' j ai oublié mon mot de passe'],
  ['Fait à Rennes, le 2 mai 2024.\nSignature : ', { name: 'Erwan Le Bihan' }],
];

const devNameBareTemplates: Array<Template<FrenchValues>> = [
  (values) => [{ name: values.full() }, ' souhaite déplacer ses congés à la deuxième semaine d’août.'],
  (values) => ['Le contrat dit-il si ', { name: values.full() }, ' peut télétravailler le vendredi ?'],
  (values) => [
    'Reformule pour la lettre interne : ',
    { name: values.full() },
    ' a couru le semi-marathon et récolté 1 200 € pour l’association.',
  ],
  (values) => [
    'L’erreur de paie concerne ',
    { name: values.full() },
    ' et ',
    { name: values.full() },
    ' sur la paie de mars.',
  ],
];

const devNameBareSentences: Array<Piece[] | string> = [
  [{ name: 'Grégoire Vasseur' }, ' a manqué deux gardes sans prévenir la semaine dernière.'],
  ['Pourquoi ', { name: 'Bérénice Lemaire' }, ' n’était-elle pas en copie du rapport d’audit ?'],
  ['Dis-moi si ', { name: 'Quentin Boulanger' }, ' a encore besoin d’un accès au dossier partagé.'],
  ['Apparemment, ', { name: 'Leïla Mansouri' }, ' et ', { name: 'Bastien Kerjean' }, ' ont postulé au même poste.'],
];

const devStreetTemplates: Array<Template<FrenchValues>> = [
  (values) => ['Envoyez la nouvelle carte au ', { address: values.address() }, ' et non à l’agence.'],
  (values) => ['Adresse de correspondance\n', { address: values.street() }, '\n', { address: values.postcodeCity() }],
  (values) => [
    'Notre dépôt a déménagé au ',
    { address: values.address() },
    '. Les chauffeurs doivent passer par l’entrée nord.',
  ],
  (values) => ['L’ambulance a été envoyée au ', { address: values.street() }, ' au lieu de l’EHPAD.'],
  (values) => [
    'Bonjour ',
    ...titled(values.titledLast()),
    ', votre adresse a bien été modifiée : ',
    { address: values.formAddress() },
    '.',
  ],
  (values) => [{ address: values.address() }, ' : ce logement est-il en zone inondable ?'],
];

const devStreetSentences: Array<Piece[] | string> = [
  ['Y a-t-il une pharmacie de garde près du ', { address: '48 boulevard Haussmann, 75009 Paris' }, ' ?'],
  ['Colis remis au voisin, ', { address: 'Appartement 6, 19 rue de la Tannerie' }, '.'],
  ['Domicile : ', { address: '3 chemin des Écoliers, 63000 Clermont-Ferrand' }],
  ['je quitte le ', { address: '27 rue jean moulin' }, ' samedi, comment résilier l’assurance habitation'],
  ['Le bail porte uniquement sur le ', { address: 'Lot 4, 88 route de Genève, 74100 Annemasse' }, '.'],
];

const devPostcodeTemplates: Array<Template<FrenchValues>> = [
  (values) => [
    'Y a-t-il un médecin traitant qui accepte de nouveaux patients à ',
    { address: values.postcodeCity() },
    ' ?',
  ],
  (values) => ['Merci de mettre à jour mon adresse postale : ', { address: values.poBox() }, '.'],
  (values) => ['Notre deuxième agence se trouve à ', { address: values.postcodeCity() }, ', à côté de la médiathèque.'],
];

const devPostcodeSentences: Array<Piece[] | string> = [
  ['CP : ', { address: '29200' }],
  ['Envoyez les documents à ', { address: 'BP 11543, Dakar' }, ', Sénégal.'],
  ['Pouvez-vous livrer à ', { address: '13100 Aix-en-Provence' }, ' avant vendredi ?'],
];

const devNegativeTemplates: Array<Template<FrenchValues>> = [
  (values) => [
    `Le vol TO ${values.int(3000, 4999)} en provenance de ${values.pick(destinations)} atterrit à ${values.time()} ${values.weekday()}.`,
  ],
  (values) => [
    `Ticket INC${values.int(100000, 999999)} ouvert : le VPN se coupe toutes les ${values.int(5, 50)} minutes.`,
  ],
  (values) => [
    `Salle de réunion ${values.int(1, 9)}${values.pick(['A', 'B'])}, étage ${values.int(1, 12)}, libre jusqu’à ${values.time()}.`,
  ],
  (values) => [
    `Délivrer ${values.pick(medicaments)} ${values.pick(['10', '20', '40'])} mg, ${values.int(14, 56)} comprimés.`,
  ],
  (values) => [
    `Rapport des ventes de ${values.month()} ${values.int(2020, 2026)} : chiffre d’affaires en hausse de ${values.int(1, 19)} %.`,
  ],
  (values) => [
    `Plafond de la carte relevé à ${values.int(1, 20)} 000 € à compter du ${values.int(1, 28)} ${values.month()}.`,
  ],
];

const devNegativeSentences: Array<Piece[] | string> = [
  'Monsieur,\n\nJe souhaite me plaindre de l’accueil reçu dans votre agence.',
  'Bonjour à toutes et à tous, l’exercice incendie a lieu à 11 h.',
  'L’infirmière vous appellera dès que les résultats seront là.',
  'Veuillez agréer nos salutations distinguées.\nLe service réclamations',
  'Patiente stable cette nuit, rien à signaler.',
  'Merci de transmettre au service concerné.',
  'Demandez conseil au pharmacien avant de commencer.',
  'Cordialement,\nLe support informatique',
  'La route est encore longue pour l’entreprise.',
  'L’Élysée n’a pas souhaité commenter.',
  'La rue piétonne est animée le samedi.',
  'Le chemin de fer a transformé la région.',
  'Les Champs-Élysées sont illuminés pour les fêtes.',
  'Cours de yoga le mardi soir.',
  'Garez-vous place 7 et prenez l’ascenseur jusqu’au niveau 2.',
  'Les 101 Dalmatiens repasse à la télé ce soir.',
  'Le Cinquième Élément est mon film préféré.',
  'Windows 10 : fin du support',
  '100 Jours pour mieux manger — programme',
  'Le vol TO 3046 est retardé.',
  'Code promo BIENVENUE20 valable jusqu’à dimanche.',
  'Dossier n° 2024/00317 en cours d’instruction.',
  'Réf. 94103-B de nouveau disponible.',
  'Le modèle XR 7, troisième génération.',
  'Pleuvra-t-il demain ?',
  'Pouvons-nous utiliser vos données pour la recherche ?',
  'Céleste ou marine, quel bleu pour la charte graphique ?',
  'Espérance de vie en hausse selon l’Insee.',
  'Bonheur et soulagement à l’annonce des résultats.',
  'Le boulevard est fermé à la circulation pour le marathon.',
  'La Banque Postale modifie ses frais de tenue de compte.',
  'Orange et Bouygues Telecom augmentent leurs forfaits.',
  'Le ministère des Armées a publié un communiqué.',
  'Ventoline, deux bouffées si besoin.',
  'Marseille est très chaude en août.',
  'Roissy terminal 2F fermé pour travaux.',
  'Saint-Étienne accueille le salon du design.',
  'Le total de la facture est de 3 400,50 €, à payer avant le 31 janvier.',
  'Agence fermée le jeudi 26 décembre.',
  'Solde : 0,00 €',
  'Horaires de garde : 7 h 30 – 20 h, quatre jours sur quatre.',
  'Le Crédit Mutuel a relevé ses taux.',
  'Clermont-Ferrand est la ville du pneu.',
  'Le service des urgences de Lariboisière est saturé.',
  'Rappel : réunion plénière en amphi B à 14 h.',
];

export const french: LanguageSource<FrenchValues> = {
  language: 'fr',
  values: frenchValues,
  test: {
    templates: {
      'name.context': testNameContextTemplates,
      'name.bare': testNameBareTemplates,
      'address.street': testStreetTemplates,
      'address.postcode': testPostcodeTemplates,
      negative: testNegativeTemplates,
    },
    sentences: {
      'name.context': testNameContextSentences,
      'name.bare': testNameBareSentences,
      'address.street': testStreetSentences,
      'address.postcode': testPostcodeSentences,
      negative: testNegativeSentences,
    },
  },
  dev: {
    templates: {
      'name.context': devNameContextTemplates,
      'name.bare': devNameBareTemplates,
      'address.street': devStreetTemplates,
      'address.postcode': devPostcodeTemplates,
      negative: devNegativeTemplates,
    },
    sentences: {
      'name.context': devNameContextSentences,
      'name.bare': devNameBareSentences,
      'address.street': devStreetSentences,
      'address.postcode': devPostcodeSentences,
      negative: devNegativeSentences,
    },
  },
};
