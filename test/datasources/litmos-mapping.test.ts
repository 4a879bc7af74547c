import { describe, expect, it } from 'vitest';
import {
  decodeEntities,
  newUserBody,
  parseBody,
  parseLitmosDate,
  toCourse,
  toCourseResult,
  toLearner,
  toLearnerCourse,
  toTeam,
  updatedUserBody,
} from '../../src/datasources/litmos/mapping.js';
import { UpstreamError } from '../../src/errors.js';

// Verbatim bodies recorded from the real API (charliequinn/python-litmos-api cassettes).
const FIND_USER =
  '{"Id":"rnjx2WaQOEY1","UserName":"janine.butcher@pieshop.net","FirstName":"Janine","LastName":"Butcher","FullName":"Janine Butcher","Email":"janine.butcher@pieshop.net","AccessLevel":"Learner","DisableMessages":false,"Active":true,"Skype":null,"PhoneWork":null,"PhoneMobile":null,"LastLogin":"2016-12-09T07:54:27Z","LoginKey":"https:\\/\\/pieshopuniversity.litmos.com\\/\\/login.aspx?loginkey=fdee8276-40fd-4ccf-a6e8-7b08eafaqfd2","IsCustomUsername":false,"Password":"","SkipFirstLogin":true,"TimeZone":"UTC","SalesforceId":null,"OriginalId":4138947,"Street1":null,"Street2":null,"City":null,"State":null,"PostalCode":null,"Country":null,"CompanyName":null,"JobTitle":null,"CustomField1":"Janine Butcher","CustomField2":null,"CustomField3":null,"Culture":"en-US","CustomField4":null,"CustomField5":null,"CustomField6":null,"CustomField7":null,"CustomField8":null,"CustomField9":null,"CustomField10":null,"SalesforceContactId":null,"SalesforceAccountId":null,"CreatedDate":"2016-11-10T13:50:11Z","Points":0}';
const SEARCH_USERS =
  '[{"Id":"1Ued06dKZOc1","UserName":"paul.smith2","FirstName":"Paul","LastName":"Jacobson","Active":false,"Email":"paul.smith1@pieshop.com","AccessLevel":"Learner"}]';
const COURSE =
  '{"Id":"RuzXNaD42Sw1","Code":"TST001","Name":"Test Why bother","Active":true,"ForSale":false,"OriginalId":590874,"Description":"","EcommerceShortDescription":"","EcommerceLongDescription":"","CourseCodeForBulkImport":"590874-TST001","Price":0.00,"AccessTillDate":null,"AccessTillDays":null}';
const TEAM = '{"Id":"y5phW-Iw2lE1","Name":"John Smith","TeamCodeForBulkImport":"405494-JohnSmith"}';

function badResponse(run: () => unknown): UpstreamError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UpstreamError);
  expect((caught as UpstreamError).code).toBe('UPSTREAM_BAD_RESPONSE');
  return caught as UpstreamError;
}

describe('decodeEntities', () => {
  it.each([
    ['O&#39;Brien', "O'Brien"],
    ['O&#x27;Brien', "O'Brien"],
    ['R&amp;D', 'R&D'],
    ['&quot;Q&quot; &lt;b&gt;', '"Q" <b>'],
    ['Siobh&#225;n', 'Siobhán'],
    ['&amp;lt;', '&lt;'],
    ['Tom & Jerry', 'Tom & Jerry'],
    ['&bogus; &#0;', '&bogus; &#0;'],
  ])('%s → %s', (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
  });
});

describe('parseLitmosDate', () => {
  it.each([
    ['/Date(1497801750508)/', '2017-06-18T16:02:30.508Z'],
    ['/Date(1497801750508+0100)/', '2017-06-18T16:02:30.508Z'],
    ['2016-12-09T07:54:27Z', '2016-12-09T07:54:27.000Z'],
    ['2019-05-06T01:12:35.990', '2019-05-06T01:12:35.990Z'],
    ['2019-05-06T03:12:35+02:00', '2019-05-06T01:12:35.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseLitmosDate(input)).toBe(expected);
  });

  it('treats blank and null as no date', () => {
    expect(parseLitmosDate('')).toBeNull();
    expect(parseLitmosDate(null)).toBeNull();
  });

  it('refuses what is not a date, saying what arrived', () => {
    const error = badResponse(() => parseLitmosDate('last Tuesday'));
    expect(error.message).toContain('"last Tuesday"');
  });

  it('reads a JSON-escaped /Date()/ once JSON.parse has unescaped it', () => {
    const parsed = parseBody('{"AssignedDate":"\\/Date(0)\\/"}') as { AssignedDate: string };
    expect(parseLitmosDate(parsed.AssignedDate)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('parseBody', () => {
  it('treats an empty body as no value and refuses what is not JSON', () => {
    expect(parseBody('')).toBeUndefined();
    const error = badResponse(() => parseBody('<html>Request Error</html>'));
    expect(error.message).toContain('Request Error');
  });
});

describe('toLearner', () => {
  it('maps a recorded full profile', () => {
    expect(toLearner(parseBody(FIND_USER))).toEqual({
      id: 'rnjx2WaQOEY1',
      userName: 'janine.butcher@pieshop.net',
      email: 'janine.butcher@pieshop.net',
      firstName: 'Janine',
      lastName: 'Butcher',
      title: null,
      active: true,
      accessLevel: 'Learner',
      phoneWork: null,
      phoneMobile: null,
      street1: null,
      street2: null,
      city: null,
      state: null,
      postalCode: null,
      country: null,
    });
  });

  it('maps a recorded summary, blank strings as null', () => {
    const [summary] = parseBody(SEARCH_USERS) as unknown[];
    expect(toLearner({ ...(summary as object), JobTitle: '  ' })).toMatchObject({
      id: '1Ued06dKZOc1',
      userName: 'paul.smith2',
      email: 'paul.smith1@pieshop.com',
      active: false,
      title: null,
    });
  });

  it('refuses a user without an Id or with a non-boolean Active, naming the member', () => {
    expect(badResponse(() => toLearner({ UserName: 'x', Active: true })).message).toContain('user.Id');
    expect(badResponse(() => toLearner({ Id: 'a', UserName: 'x', Active: 'yes' })).message).toContain('user.Active: expected a boolean, received "yes"');
    badResponse(() => toLearner([]));
  });
});

describe('teams, courses and progress', () => {
  it('maps a recorded team (no ParentTeamId) and a listed sub-team', () => {
    expect(toTeam(parseBody(TEAM))).toEqual({ id: 'y5phW-Iw2lE1', name: 'John Smith', parentId: null });
    expect(toTeam({ Id: 's1', Name: 'Sub', ParentTeamId: 'p1' })).toEqual({ id: 's1', name: 'Sub', parentId: 'p1' });
    expect(toTeam({ Id: 's1', Name: 'Sub', Description: '' }, 'p2').parentId).toBe('p2');
  });

  it('maps a recorded course', () => {
    expect(toCourse(parseBody(COURSE))).toEqual({ id: 'RuzXNaD42Sw1', code: 'TST001', name: 'Test Why bother', active: true });
  });

  it('maps a course result row and a learner course row', () => {
    expect(toCourseResult('c1', { Id: 'u1', UserName: 'u', Completed: false, PercentageComplete: 42.5, DueDate: null })).toEqual({
      courseId: 'c1',
      learnerId: 'u1',
      completed: false,
      percentageComplete: 42.5,
      assignedAt: null,
      completedAt: null,
    });
    const row = parseBody(
      '{"Id":"c2","Complete":true,"PercentageComplete":100,"AssignedDate":"\\/Date(1700000000000)\\/","DateCompleted":"\\/Date(1700086400000)\\/"}',
    );
    expect(toLearnerCourse('u2', row)).toEqual({
      courseId: 'c2',
      learnerId: 'u2',
      completed: true,
      percentageComplete: 100,
      assignedAt: '2023-11-14T22:13:20.000Z',
      completedAt: '2023-11-15T22:13:20.000Z',
    });
  });
});

describe('write bodies', () => {
  it('builds a whole new user, custom usernames flagged, cleared fields blank', () => {
    const body = newUserBody({ userName: 'jbaba', firstName: 'Jo', lastName: 'Baba', email: null, title: 'Baker', active: true });
    expect(body).toMatchObject({ Id: '', UserName: 'jbaba', IsCustomUsername: true, Email: '', JobTitle: 'Baker', AccessLevel: 'Learner', Active: true });
    expect(newUserBody({ userName: 'jo@pieshop.net' }).IsCustomUsername).toBe(false);
  });

  it('lays fields over the profile as read, keeping everything else exactly', () => {
    const profile = { ...(parseBody(FIND_USER) as Record<string, unknown>), AccessLevel: 'Team_Leader' };
    const body = updatedUserBody(profile, { title: 'Head Baker', phoneWork: null, active: false });
    expect(body).toEqual({ ...profile, JobTitle: 'Head Baker', PhoneWork: '', Active: false });
    expect(updatedUserBody(profile, { userName: 'jbutcher' }).IsCustomUsername).toBe(true);
  });

  it('writes back the decoded value of every string member it read, never the HTML-encoded one', () => {
    // Litmos's JSON encodes names on the way out; sending them back as read would store `A&amp;B`,
    // and one more `&amp;` with every update after that.
    const profile = {
      ...(parseBody(FIND_USER) as Record<string, unknown>),
      FirstName: 'A&amp;B &lt;Bob&gt;',
      LastName: 'O&#39;Brien &quot;Zo&#235;&quot;',
      FullName: 'A&amp;B &lt;Bob&gt; O&#39;Brien &quot;Zo&#235;&quot;',
      CustomField2: 'R&amp;D',
      CompanyName: '&amp;lt;literal&amp;gt;',
    };
    const body = updatedUserBody(profile, { title: 'Head Baker', phoneWork: '+44 1 &amp; 2' });
    expect(body).toEqual({
      ...(parseBody(FIND_USER) as Record<string, unknown>),
      FirstName: 'A&B <Bob>',
      LastName: 'O\'Brien "Zoë"',
      FullName: 'A&B <Bob> O\'Brien "Zoë"',
      CustomField2: 'R&D',
      // Decoded once: what the user typed was the text `&lt;literal&gt;`.
      CompanyName: '&lt;literal&gt;',
      JobTitle: 'Head Baker',
      // New values are the caller's own, already plain: laid over as given.
      PhoneWork: '+44 1 &amp; 2',
    });
    // Non-string members stay exactly as read.
    expect(body).toMatchObject({ Active: true, DisableMessages: false, OriginalId: 4138947, Points: 0, Skype: null });
  });

  it('keeps a name the same through any number of read-update round trips', () => {
    const encode = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    const name = 'A&B <Bob> O\'Brien "Zoë"';
    let stored: Record<string, unknown> = { ...(parseBody(FIND_USER) as Record<string, unknown>), FirstName: name };
    for (let i = 0; i < 10; i++) {
      const asRead = { ...stored, FirstName: encode(String(stored.FirstName)) };
      stored = updatedUserBody(asRead, { title: `Title ${i}` });
    }
    expect(stored.FirstName).toBe(name);
    expect(toLearner(stored).title).toBe('Title 9');
  });
});
