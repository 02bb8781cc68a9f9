/**
 * The operator console at {@code /console/} (docs/console.md): static files (HTML, ES modules, CSS)
 * served from {@code classpath:/console/}, and the unauthenticated settings they start from
 * ({@code /console/config.json}). The console is a client of the public admin API only; it has no
 * endpoint of its own beyond its settings. {@code ferry.console.enabled=false} switches all of it off.
 */
package dev.ferry.console;
