import { csvCell, csvHead, csvRow } from './csv.js';

describe('csvCell', () => {
  it.each([
    ['plain text', 'JNIM', 'JNIM'],
    ['a comma', 'Kidal, Mali', '"Kidal, Mali"'],
    ['quotes, doubled', 'the "trainers"', '"the ""trainers"""'],
    ['a line break', 'first\nsecond', '"first\nsecond"'],
    ['another script', 'كمين قرب تينزاواتن', 'كمين قرب تينزاواتن'],
    ['a formula', '=1+1', "'=1+1"],
    ['a formula that must be quoted too', '=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['a leading plus', '+33 1 23', "'+33 1 23"],
    ['a leading minus', '-1', "'-1"],
    ['a leading at', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\t=1', "'\t=1"],
    ['a leading carriage return', '\r=1', `"'\r=1"`],
    ['a formula after a semicolon, a separator in many locales', 'x;=HYPERLINK("y")', '"x;=HYPERLINK(""y"")"'],
  ])('writes %s as a spreadsheet reads it as text', (_case, cell, written) => {
    expect(csvCell(cell)).toBe(written);
  });

  it('writes numbers and booleans as they are, and nothing for an absent value', () => {
    expect([csvCell(-2), csvCell(50), csvCell(true), csvCell(null)]).toEqual(['-2', '50', 'true', '']);
  });
});

describe('csvHead and csvRow', () => {
  const columns = [
    { name: 'incidentId', hxl: '#event+id' },
    { name: 'value', hxl: '#affected+num' },
  ];

  it('ends every record with CRLF, and adds the HXL row only when asked', () => {
    expect(csvHead(columns, { hxl: false })).toBe('incidentId,value\r\n');
    expect(csvHead(columns, { hxl: true })).toBe('incidentId,value\r\n#event+id,#affected+num\r\n');
  });

  it('writes a row in the columns’ order, an absent cell empty', () => {
    expect(csvRow(columns, { value: 20, incidentId: 'a' })).toBe('a,20\r\n');
    expect(csvRow(columns, { incidentId: 'b' })).toBe('b,\r\n');
  });
});
