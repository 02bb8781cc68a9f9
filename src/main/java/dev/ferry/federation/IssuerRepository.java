package dev.ferry.federation;

import org.springframework.data.jpa.repository.JpaRepository;

interface IssuerRepository extends JpaRepository<IssuerEntity, String> {

    boolean existsByIssuerUrlAndNameNot(String issuerUrl, String name);
}
