/**
 * People's names for the seeded company and the work emails HR derives from them. The tables mix
 * accents, apostrophes, hyphens and non-Latin-origin names on purpose: they are what breaks
 * usernames, XML and email matching in real rosters.
 */
import type { NonEmpty } from './random.js';

export const FIRST_NAMES: NonEmpty<string> = [
  'James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'William', 'Linda', 'David', 'Elizabeth',
  'Christopher', 'Katherine', 'Daniel', 'Jessica', 'Matthew', 'Sarah', 'Anthony', 'Margaret', 'Joshua',
  'Emily', 'Andrew', 'Rebecca', 'Jonathan', 'Samantha', 'Alexander', 'Victoria', 'Benjamin', 'Olivia',
  'Nicholas', 'Abigail', 'Tyler', 'Madison', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Avery', 'Jamal',
  'Aaliyah', 'DeShawn', 'Imani', 'Malik', 'Keisha', 'José', 'María', 'Ana-María', 'Luis', 'Sofía',
  'Alejandro', 'Lucía', 'Martín', 'Camila', 'Andrés', 'Valentina', 'Joaquín', 'Inés', 'Raúl', 'Guadalupe',
  'Héctor', 'João', 'Conceição', 'Gonçalo', 'Thiago', 'Letícia', 'François', 'Zoë', 'Chloé', 'Hélène',
  'Jérôme', 'Amélie', 'Anaïs', 'Noël', 'Jean-Luc', 'Marie-Claire', 'Søren', 'Björk', 'Åsa', 'Bjørn', 'Ingrid',
  'Märta', 'Jürgen', 'Günter', 'Jörg', 'Lena', 'Maximilian', 'Łukasz', 'Małgorzata', 'Wojciech', 'Zbigniew',
  'Jiří', 'Tomáš', 'Siobhán', 'Seán', 'Niamh', 'Aoife', 'Oisín', 'Ciarán', 'Saoirse', 'Padraig', 'Mohammed',
  'Fatima', 'Omar', 'Aisha', 'Yusuf', 'Leila', 'Hamza', 'Zeynep', 'Çağla', 'Emre', 'Wei', 'Xiaoming', 'Mei',
  'Jun', 'Hiroshi', 'Yuki', 'Haruto', 'Sakura', 'Min-jun', 'Seo-yeon', 'Ji-woo', 'Priya', 'Rahul', 'Ananya',
  'Arjun', 'Deepika', 'Vikram', 'Lakshmi', 'Sanjay', 'Huyền', 'Thảo', 'Minh', 'Chidi', 'Ngozi', 'Oluwaseun',
  'Adaeze', 'Kwame', 'Amara', 'Tendai', 'Thandiwe', 'Kai', 'Noa', 'Ariel', 'Shira', 'Dmitri', 'Anastasia',
  'Olga', 'Sergei', 'Renée', 'Andrée',
];

export const LAST_NAMES: NonEmpty<string> = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Thomas',
  'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson',
  'Carter', 'Mitchell', 'Roberts', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', "O'Brien", "O'Connor",
  "O'Neill", "O'Sullivan", "D'Angelo", "D'Souza", "N'Diaye", "D'Arcy", "Dell'Acqua", "L'Heureux", 'McDonald',
  'MacLeod', 'Van der Berg', 'van Dijk', 'de la Cruz', 'De Luca', 'Del Río', 'St. James', 'Smith-Jones',
  'García-López', 'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez',
  'Ramírez', 'Nuñez', 'Muñoz', 'Ibáñez', 'Gómez', 'Díaz', 'Fernández', 'Gonçalves', 'Araújo', 'Conceição',
  'Magalhães', 'Brandão', 'Müller', 'Schröder', 'Groß', 'Weiß', 'Köhler', 'Schäfer', 'Bäcker', 'Jäger',
  'Fuchs', 'Vogel', 'Lefèvre', 'Dubois', 'Bérénger', 'Lacroix', 'Lemaître', 'Girard', 'Rousseau', 'Mercier',
  'Béland', 'Côté', 'Søndergaard', 'Østergaard', 'Jørgensen', 'Ångström', 'Lindqvist', 'Nyström', 'Björklund',
  'Guðmundsdóttir', 'Þórsson', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Łukaszewicz', 'Zieliński', 'Novák',
  'Dvořák', 'Horváth', 'Nagy', 'Yılmaz', 'Öztürk', 'Kaya', 'Şahin', 'Khan', 'Ahmed', 'Hassan', 'Haddad',
  'Nasser', 'Cohen', 'Levi', 'Friedman', 'Wang', 'Li', 'Zhang', 'Chen', 'Liu', 'Nguyen', 'Tran', 'Pham',
  'Kim', 'Park', 'Choi', 'Tanaka', 'Suzuki', 'Watanabe', 'Sato', 'Patel', 'Sharma', 'Singh', 'Iyer', 'Reddy',
  'Okafor', 'Adeyemi', 'Mensah', 'Nkosi', 'Mwangi', 'Ivanov', 'Petrova', 'Kuznetsov', 'Papadopoulos', 'Rossi',
];

/** The names people go by when HR lists a preferred name. */
export const PREFERRED_NAMES: Readonly<Record<string, NonEmpty<string>>> = {
  James: ['Jim', 'Jimmy'], Robert: ['Bob', 'Rob'], Michael: ['Mike'], William: ['Bill', 'Will'],
  David: ['Dave'], Elizabeth: ['Liz', 'Beth'], Christopher: ['Chris'], Katherine: ['Kate', 'Kathy'],
  Daniel: ['Dan', 'Danny'], Jessica: ['Jess'], Matthew: ['Matt'], Margaret: ['Maggie', 'Peggy'],
  Joshua: ['Josh'], Andrew: ['Andy', 'Drew'], Rebecca: ['Becky'], Jonathan: ['Jon'],
  Samantha: ['Sam'], Alexander: ['Alex', 'Sasha'], Victoria: ['Tori'], Benjamin: ['Ben'],
  Nicholas: ['Nick'], Abigail: ['Abby'], Alejandro: ['Alex'], Maximilian: ['Max'],
  Xiaoming: ['Sam'], Wei: ['David'], 'Min-jun': ['Jason'], 'Seo-yeon': ['Sophie'],
  Oluwaseun: ['Seun'], Anastasia: ['Nastya'], Dmitri: ['Dima'], Padraig: ['Paddy'],
  Guadalupe: ['Lupe'], 'Ana-María': ['Anita'], Łukasz: ['Luke'], Wojciech: ['Wojtek'],
};

// Letters that Unicode does not decompose into a base letter plus a mark, so NFD alone keeps them.
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ø: 'o', Ø: 'O', ß: 'ss', ł: 'l', Ł: 'L', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', đ: 'd', Đ: 'D',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i',
};

/** "Søren Müller" → "Soren Muller": the closest plain-ASCII spelling. */
export function foldToAscii(text: string): string {
  return text
    .replace(/[øØßłŁæÆœŒđĐðÐþÞı]/g, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/** "Ana-María" → "ana-maria", "D'Angelo" → "dangelo": what a mail server accepts of a name. */
export function emailNamePart(name: string): string {
  return foldToAscii(name).toLowerCase().replace(/[^a-z0-9-]/g, '');
}

// Folding is the costly step when a company has 100,000 people, and they all share these names.
const TABLE_EMAIL_PARTS: ReadonlyMap<string, string> = new Map(
  [...FIRST_NAMES, ...LAST_NAMES].map((name) => [name, emailNamePart(name)]),
);

/** "first.last", folded to ASCII. Not unique; the generator numbers repeats. */
export function emailLocalPart(firstName: string, lastName: string): string {
  return `${tableEmailPart(firstName)}.${tableEmailPart(lastName)}`;
}

function tableEmailPart(name: string): string {
  return TABLE_EMAIL_PARTS.get(name) ?? emailNamePart(name);
}
