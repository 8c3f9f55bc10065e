// A labelled corpus for the detectors: positives in English, French and Arabic, and negatives
// chosen to look alike (wrong check digits, dates, versions, hashes, UUIDs, ordinary prose).
// The benchmark prints precision and recall over it.

export const corpus: Record<string, { positive: string[]; negative: string[] }> = {
  'pii.email': {
    positive: [
      'Contact me at john.smith@example.com today.',
      'Écrivez à marie-claire.dupont@sante.gouv.fr svp',
      'راسلني على ahmad.ali@example.sa من فضلك',
      'cc: a+b_c@mail.example.co.uk',
    ],
    negative: [
      'The @ sign is used in handles like @sovereign',
      'meet at 10am @ the office',
      'version foo@2.1 is out',
      'email me: name at example dot com',
    ],
  },
  'pii.card': {
    positive: [
      'Card: 4111 1111 1111 1111, exp 12/27',
      'payer avec 5555-5555-5555-4444 svp',
      'AmEx 378282246310005 on file',
      'رقم البطاقة 6011111111111117',
      'رقم البطاقة ٤١١١١١١١١١١١١١١١',
    ],
    negative: [
      'Order number 4111 1111 1111 1112',
      'tracking 1234 5678 9012 3456',
      'invoice 0000 0000 0000 0000',
      'commande n° 9876543210123',
      'phone 0612345678',
    ],
  },
  'pii.iban': {
    positive: [
      'IBAN FR76 3000 6000 0112 3456 7890 189',
      'Virement sur DE89370400440532013000',
      'الآيبان SA03 8000 0000 6080 1016 7519',
      'IBAN AE070331234567890123456',
      'GB82 WEST 1234 5698 7654 32',
    ],
    negative: [
      'IBAN FR76 3000 6000 0112 3456 7890 188',
      'reference AB12 CDEF GHIJ KLMN',
      'code DE00 1234 5678 9012 3456 78',
    ],
  },
  'pii.phone': {
    positive: [
      'Call me on +1 415 555 0132',
      'mon numéro : 06 12 34 56 78',
      'appelez le +33 6 12 34 56 78',
      'اتصل بي على 0512345678',
      'اتصل على +971 50 123 4567',
      'Handy: 0151 23456789',
      'office (212) 555-0198',
      'رقمي ٠٥١٢٣٤٥٦٧٨',
    ],
    negative: [
      'The meeting is on 2024-01-15 at 10:30',
      'né le 15.01.1985 à Lyon',
      'version 1.2.3 released',
      'total 1 234 567 euros',
      'ISBN 978-3-16-148410-0',
      'pi is 3.14159265358979',
    ],
  },
  'pii.national_id.sa': {
    positive: ['رقم الهوية الوطنية 1074583624', 'Iqama number 2045839160', 'رقم الهوية ١٠٧٤٥٨٣٦٢٤'],
    negative: ['رقم الطلب 1074583625', 'account 1234567890', 'timestamp 1700000000'],
  },
  'pii.national_id.ae': {
    positive: ['Emirates ID 784-1985-1234567-3', 'رقم الهوية الإماراتية 784199007654322'],
    negative: ['Emirates ID 784-1985-1234567-4', 'code 784 is a country code'],
  },
  'pii.national_id.fr': {
    positive: ['Numéro de sécurité sociale : 1 85 05 78 006 084 91', 'NIR 293017512345652'],
    negative: ['NIR 1 85 05 78 006 084 92', 'référence 185057800608400'],
  },
  'pii.national_id.de': {
    positive: ['Steuer-ID 86609812340', 'Meine Steueridentifikationsnummer ist 47152398607'],
    negative: ['Kundennummer 86609812341', 'Bestellung 12345678901'],
  },
  'pii.national_id.us_ssn': {
    positive: ['SSN 123-45-6789', 'social security number 078 05 1121'],
    negative: ['SSN 000-12-3456', 'code 666-12-3456', 'part 900-12-3456', 'date 2024-01-1512'],
  },
  'pii.ip.v4': {
    positive: ['server at 192.168.1.20', 'l’adresse est 10.0.0.1', 'الخادم 172.16.254.1'],
    negative: ['version 1.2.3', 'score 256.1.1.1', 'pi 3.14'],
  },
  'pii.ip.v6': {
    positive: ['host 2001:db8::8a2e:370:7334', 'loopback fe80::1ff:fe23:4567:890a'],
    negative: ['Note: the time is 12:30:45', 'ratio 3:2', 'C++ std::vector'],
  },
  'secret.aws_key': {
    positive: ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'clé AKIAI44QH8DHBEXAMPLE'],
    negative: ['AKIA is a prefix', 'AKIAIOSFODNN7EXAMPL'],
  },
  'secret.github_token': {
    positive: [
      'token ghp_0123456789abcdefghijABCDEFGHIJ012345',
      'GITHUB_TOKEN=gho_16C7e42F292c6912E7710c838347Ae178B4a',
    ],
    negative: ['the ghp_ prefix marks tokens', 'ghp_short123'],
  },
  'secret.api_key': {
    positive: [
      'OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx1234',
      'mon clé sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx',
      'stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'google AIzaSyA-abcdefghijklmnopqrstuvwxyz12345',
    ],
    negative: ['sk-short', 'the task-list is long', 'ask-me-anything'],
  },
  'secret.private_key': {
    positive: [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA',
    ],
    negative: ['-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----', '-----BEGIN CERTIFICATE-----'],
  },
  'secret.token': {
    positive: ['secret Zx9qL2mN8vB4cX7kP1wR5tY3uI6oA0sD', 'X-Auth: 7dF3kL9mQ2xV8bN4cR6tY1uP5wS0aZ3h'],
    negative: [
      'commit 3f786850e387550fdab836ed7e6dc881de23001b',
      'id 550e8400-e29b-41d4-a716-446655440000',
      'supercalifragilisticexpialidociousword',
      'path /usr/local/share/applications/settings.json',
    ],
  },
};
