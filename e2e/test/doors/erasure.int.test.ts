import { existsSync, readFileSync } from 'node:fs';
import { useGraph } from '../support/graph';

/** Every byte of the members service's SQLite database on disk: the file and its write-ahead log. */
function onDisk(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

describe('erasure leaves the disk', () => {
  const { config, gql, tokens } = useGraph();
  const sqlite = config.database('members');

  (sqlite.kind === 'sqlite' ? it : it.skip)(
    'leaves no name or phone number in the database file or its log',
    async () => {
      const phone = `139${String(Date.now()).slice(-8)}`;
      const name = `Erasable ${phone}`;
      const registered = await gql(
        'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }',
        {
          i: { displayName: name, phone },
        },
      );
      const id = registered.data!.registerMember.id as string;
      const file = sqlite.kind === 'sqlite' ? sqlite.file : '';
      expect(onDisk(file).includes(phone)).toBe(true);
      const erased = await gql(
        'mutation($id: ID!) { erasePersonalData(memberId: $id, reason: "Right to be forgotten") { id phone } }',
        { id },
        tokens.admin(),
      );
      expect(erased.errors).toBeUndefined();
      const bytes = onDisk(file);
      expect(bytes.includes(phone)).toBe(false);
      expect(bytes.includes(name)).toBe(false);
    },
  );
});
