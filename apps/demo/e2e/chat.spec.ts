import { expect, test } from '@playwright/test';
import { signIn, visit } from './helpers.js';

test('two users chat: messages, typing indicator and presence', async ({ browser }) => {
  const alice = await signIn(browser, 'Alice');
  const bob = await signIn(browser, 'Bob');
  await visit(alice, '/chat/general');
  await visit(bob, '/chat/general');

  const aliceLog = alice.getByRole('log');
  const bobLog = bob.getByRole('log');

  // Presence: both are in the room.
  await expect(alice.getByText('2 online')).toBeVisible();
  await expect(bob.getByText('2 online')).toBeVisible();

  // Typing: Bob sees Alice typing.
  const aliceBox = alice.getByRole('textbox', { name: /message/i });
  await aliceBox.pressSequentially('Hello Bob', { delay: 20 });
  await expect(bob.getByText('Alice is typing…')).toBeVisible();

  await aliceBox.press('Enter');
  await expect(bobLog.getByText('Hello Bob')).toHaveCount(1);
  await expect(aliceLog.getByText('Hello Bob')).toHaveCount(1);

  const bobBox = bob.getByRole('textbox', { name: /message/i });
  await bobBox.fill('Hi Alice!');
  await bobBox.press('Enter');
  await expect(aliceLog.getByText('Hi Alice!')).toHaveCount(1);

  await alice.context().close();
  await bob.context().close();
});
