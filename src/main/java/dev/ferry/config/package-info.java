/** The typed {@code ferry.*} settings ({@link dev.ferry.config.FerryProperties}), the clock, and the OpenAPI description. */
package dev.ferry.config;
