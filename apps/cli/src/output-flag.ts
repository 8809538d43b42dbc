import { Flags } from '@oclif/core';

/** `-o/--output table|json`: tables for people, JSON for machines. */
export const tableOrJsonFlag = Flags.string({
  char: 'o',
  description: 'table for people, json for machines.',
  options: ['table', 'json'],
  default: 'table',
});

/** `-o/--output text|json`: prose for people, JSON for machines. */
export const textOrJsonFlag = Flags.string({
  char: 'o',
  description: 'text for people, json for machines.',
  options: ['text', 'json'],
  default: 'text',
});
