-- Imports (the API and the start-up bootstrap file) lock this row, so that concurrent imports on
-- several replicas apply one after the other.
insert into ferry_lock (name) values ('definitions');
