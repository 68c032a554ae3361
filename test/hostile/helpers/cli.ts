export * from '../../helpers/cli.js';
