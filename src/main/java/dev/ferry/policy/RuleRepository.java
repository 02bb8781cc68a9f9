package dev.ferry.policy;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface RuleRepository extends JpaRepository<RuleEntity, String> {

    List<RuleEntity> findByIssuer(String issuer);

    @Query("select r.name from RuleEntity r order by r.name")
    List<String> names();

    List<RuleEntity> findByNameGreaterThanOrderByNameAsc(String after, Limit limit);

    List<RuleEntity> findByIssuerAndNameGreaterThanOrderByNameAsc(String issuer, String after, Limit limit);
}
