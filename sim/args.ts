/** The command-line value parsers live in model/args.ts, shared with live/ and calibrate/. */
export * from '../model/args.ts';
