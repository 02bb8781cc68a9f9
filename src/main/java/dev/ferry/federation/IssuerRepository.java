package dev.ferry.federation;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface IssuerRepository extends JpaRepository<IssuerEntity, String> {

    boolean existsByIssuerUrlAndNameNot(String issuerUrl, String name);

    /** The type of every issuer, by name, without reading their key sets. */
    @Query("select i.name, i.type from IssuerEntity i")
    List<Object[]> namesAndTypes();

    @Query("select i.type from IssuerEntity i where i.name = :name")
    Optional<String> typeOf(String name);
}
