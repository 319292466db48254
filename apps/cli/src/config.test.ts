import { describe, expect, it } from 'vitest';
import { loadEnv } from './config.js';

describe('loadEnv', () => {
  it('puts the config under XDG_CONFIG_HOME, else ~/.config, and lets DA_CONFIG_DIR win', () => {
    expect(loadEnv({ HOME: '/h' }, '/w').configDir).toBe('/h/.config/da');
    expect(loadEnv({ HOME: '/h', XDG_CONFIG_HOME: '/x' }, '/w').configDir).toBe('/x/da');
    expect(loadEnv({ HOME: '/h', XDG_CONFIG_HOME: '/x', DA_CONFIG_DIR: '/d' }, '/w').configDir).toBe('/d');
  });

  it('uses the current directory as workspace unless DA_LOCAL_DIR says otherwise', () => {
    expect(loadEnv({}, '/w').workspace).toBe('/w');
    expect(loadEnv({ DA_LOCAL_DIR: 'sub' }, '/w').workspace).toBe('/w/sub');
  });

  it('shows progress bars only on a terminal outside CI', () => {
    expect(loadEnv({}, '/w', true).interactive).toBe(true);
    expect(loadEnv({ CI: 'true' }, '/w', true).interactive).toBe(false);
    expect(loadEnv({}, '/w', false).interactive).toBe(false);
  });
});
